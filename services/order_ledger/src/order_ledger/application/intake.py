"""Channel payloads and micro-batch files -> submissions (a parsed transaction, or why not).

- canonical JSON: an array of transactions, an object with `transactions`, or JSON Lines; each
  record is decoded on its own, so one bad record names its position (index, or file line) and field;
- Shopify order / refund webhooks and ARTS POSLog files go through the connectors; a payload the
  connector refuses yields one rejected submission per problem position, each naming the path.
"""

from __future__ import annotations

from datetime import tzinfo

import msgspec
from canon.errors import ValidationError
from canon.master.records import validation_error_from
from canon.sales import SalesTransaction
from connectors.errors import ParseError
from connectors.sales.poslog import parse_poslog
from connectors.sales.shopify import parse_order, parse_refund

from order_ledger.application.use_cases.record_transactions import Submission
from order_ledger.domain.outcome import FieldProblem

_DECODER = msgspec.json.Decoder(SalesTransaction)
_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])


class _Envelope(msgspec.Struct):
    transactions: list[msgspec.Raw]


def decode_transaction(position: int, raw: bytes | msgspec.Raw) -> Submission:
    try:
        return Submission(position, _DECODER.decode(raw))
    except msgspec.ValidationError as error:
        problem = validation_error_from(error)
    except msgspec.DecodeError as error:
        problem = ValidationError("record", f"not valid JSON: {error}")
    except ValidationError as error:
        problem = error
    return Submission(position, None, [FieldProblem(field=problem.field, reason=problem.reason)])


def canonical_submissions(content: bytes, filename: str = "batch.json") -> list[Submission]:
    """Transactions in canonical JSON; `.jsonl`/`.ndjson` files are one transaction per line."""
    if filename.lower().endswith((".jsonl", ".ndjson")):
        return [
            decode_transaction(number, line)
            for number, line in enumerate(content.splitlines(), start=1)
            if line.strip()
        ]
    try:
        records = _RAW_LIST.decode(content)
    except (msgspec.ValidationError, msgspec.DecodeError):
        try:
            records = msgspec.json.decode(content, type=_Envelope).transactions
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            problem = FieldProblem(
                field="file",
                reason=f"expected a JSON array of transactions or {{'transactions': [...]}}: {error}",
            )
            return [Submission(1, None, [problem])]
    return [decode_transaction(position, raw) for position, raw in enumerate(records, start=1)]


def _refused(error: ParseError) -> list[Submission]:
    by_position: dict[int, list[FieldProblem]] = {}
    for problem in error.problems:
        by_position.setdefault(problem.line, []).append(
            FieldProblem(field=problem.field or "payload", reason=problem.reason)
        )
    return [Submission(position, None, problems) for position, problems in sorted(by_position.items())]


def shopify_order_submissions(
    payload: bytes, *, channel_id: str, node_id: str, legal_entity_id: str, revision: int = 1
) -> list[Submission]:
    try:
        order = parse_order(
            payload,
            channel_id=channel_id,
            node_id=node_id,
            legal_entity_id=legal_entity_id,
            revision=revision,
        )
    except ParseError as error:
        return _refused(error)
    return [Submission(1, order)]


def shopify_refund_submissions(
    payload: bytes,
    *,
    original: SalesTransaction | None,
    channel_id: str | None,
    node_id: str | None,
    legal_entity_id: str | None,
    revision: int = 1,
) -> list[Submission]:
    try:
        refund = parse_refund(
            payload,
            original=original,
            channel_id=channel_id,
            node_id=node_id,
            legal_entity_id=legal_entity_id,
            revision=revision,
        )
    except ParseError as error:
        return _refused(error)
    return [Submission(1, refund)]


def poslog_submissions(
    content: bytes, *, legal_entity_id: str, channel_id: str, currency: str | None, timezone: tzinfo | None
) -> list[Submission]:
    try:
        transactions = parse_poslog(
            content,
            legal_entity_id=legal_entity_id,
            channel_id=channel_id,
            currency=currency,
            timezone=timezone,
        )
    except ParseError as error:
        return _refused(error)
    return [Submission(position, tx) for position, tx in enumerate(transactions, start=1)]
