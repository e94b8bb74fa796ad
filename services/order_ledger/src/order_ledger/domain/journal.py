"""Signed postings folded into the balanced lines of one journal entry, and entry ids."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from canon.ids import deterministic_id
from canon.ledger import JournalLine, LineRole, Side
from canon.money import Money


def journal_entry_id(source_system: str, document_id: str, revision: int) -> str:
    return deterministic_id("journal", source_system, document_id, str(revision))


def reversal_entry_id(entry_id: str) -> str:
    return deterministic_id("journal-reversal", entry_id)


@dataclass(frozen=True, slots=True)
class Posting:
    role: LineRole
    account: str
    side: Side
    amount_minor: int
    dimensions: tuple[tuple[str, str], ...] = ()
    tender_kind: str | None = None
    processor: str | None = None
    processor_reference: str | None = None
    jurisdiction: str | None = None
    memo: str | None = None

    def key(self) -> tuple[object, ...]:
        return (
            self.role,
            self.account,
            self.dimensions,
            self.tender_kind,
            self.processor,
            self.processor_reference,
            self.jurisdiction,
            self.memo,
        )


@dataclass
class EntryLines:
    """Collects postings; equal keys on the same side are summed (one line per account, detail and
    side). Debits and credits are never netted, so an exchange shows both what came back and what left."""

    currency: str
    _sums: dict[tuple[object, ...], tuple[Posting, int]] = field(default_factory=dict)

    def add(self, posting: Posting) -> None:
        if posting.amount_minor == 0:
            return
        if posting.amount_minor < 0:
            flipped: Side = "credit" if posting.side == "debit" else "debit"
            posting = replace(posting, side=flipped, amount_minor=-posting.amount_minor)
        key = (posting.side, *posting.key())
        first, total = self._sums.get(key, (posting, 0))
        self._sums[key] = (first, total + posting.amount_minor)

    def lines(self) -> list[JournalLine]:
        lines = []
        for posting, total in self._sums.values():
            lines.append(
                JournalLine(
                    account=posting.account,
                    role=posting.role,
                    side=posting.side,
                    amount=Money(total, self.currency),
                    dimensions=dict(posting.dimensions),
                    tender_kind=posting.tender_kind,
                    processor=posting.processor,
                    processor_reference=posting.processor_reference,
                    jurisdiction=posting.jurisdiction,
                    memo=posting.memo,
                )
            )
        return lines
