"""Signed postings folded into the balanced lines of one journal entry, and entry ids."""

from __future__ import annotations

from dataclasses import dataclass, field

from canon.ledger import JournalLine, LineRole, Side
from canon.money import Money

from order_ledger.domain.ids import deterministic_id


def journal_entry_id(source_system: str, document_id: str, revision: int) -> str:
    return deterministic_id("journal", source_system, document_id, str(revision))


def reversal_entry_id(entry_id: str) -> str:
    return deterministic_id("journal-reversal", entry_id)


_Detail = tuple[
    LineRole, str, tuple[tuple[str, str], ...], str | None, str | None, str | None, str | None, str | None
]


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
    _sums: dict[tuple[Side, _Detail], list[int]] = field(default_factory=dict)

    def add(self, posting: Posting) -> None:
        self.add_amount(
            posting.side,
            posting.amount_minor,
            (
                posting.role,
                posting.account,
                posting.dimensions,
                posting.tender_kind,
                posting.processor,
                posting.processor_reference,
                posting.jurisdiction,
                posting.memo,
            ),
        )

    def add_amount(self, side: Side, amount_minor: int, detail: _Detail) -> None:
        """The hot path of posting: `detail` is (role, account, dimensions, tender kind, processor,
        processor reference, jurisdiction, memo); a negative amount posts to the other side."""
        if amount_minor == 0:
            return
        if amount_minor < 0:
            side = "credit" if side == "debit" else "debit"
            amount_minor = -amount_minor
        key = (side, detail)
        found = self._sums.get(key)
        if found is None:
            self._sums[key] = [amount_minor]
        else:
            found[0] += amount_minor

    def lines(self) -> list[JournalLine]:
        currency = self.currency
        lines = []
        for (side, detail), total in self._sums.items():
            role, account, dimensions, tender_kind, processor, reference, jurisdiction, memo = detail
            lines.append(
                JournalLine(
                    account=account,
                    role=role,
                    side=side,
                    amount=Money(total[0], currency),
                    dimensions=dict(dimensions),
                    tender_kind=tender_kind,
                    processor=processor,
                    processor_reference=reference,
                    jurisdiction=jurisdiction,
                    memo=memo,
                )
            )
        return lines
