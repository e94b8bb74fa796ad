"""Braintree settlement batch (JSON array of transactions in the GraphQL search shape) -> report.

Each element is one transaction: `amount` is what the customer paid (negative for a refund),
`disbursementDetails.amount` what reached the merchant account (net), in the merchant account's
currency at `exchangeRate`. Any gross-minus-net gap in one currency is the processing fee. The
settlement time is the status-history entry that names the settlement batch. `payout_id` is the
merchant account and disbursement date, which is how Braintree groups a bank deposit.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from canon.money import Money
from canon.settlement import SettlementLine, SettlementReport

from connectors._parsing import ProblemLog, RowReader, decode_text

_SETTLED_STATES = {
    "SETTLED",
    "SETTLING",
    "SETTLEMENT_PENDING",
    "SETTLEMENT_CONFIRMED",
    "SUBMITTED_FOR_SETTLEMENT",
}


def parse_braintree(content: bytes, *, filename: str | None = None) -> SettlementReport:
    """Parse a whole batch; ParseError lists every bad transaction with the line it starts on."""
    log = ProblemLog(filename)
    lines: list[SettlementLine] = []
    for line_number, element in _elements(decode_text(content, log), log):
        if not isinstance(element, dict):
            log.add(line_number, None, f"expected a transaction object, found {type(element).__name__}")
            continue
        line = _line(RowReader(log, line_number, _flatten(element)))
        if line is not None:
            lines.append(line)
    log.raise_if_any()
    if not lines:
        raise log.fail(1, None, "no transactions in the batch")
    payouts = list(dict.fromkeys(line.payout_id for line in lines if line.payout_id))
    report_id = "+".join(payouts) or "+".join(dict.fromkeys(line.report_id for line in lines))
    return SettlementReport(source_format="braintree", report_id=report_id, lines=lines)


def _elements(text: str, log: ProblemLog) -> list[tuple[int, Any]]:
    """Top-level array elements with the line each starts on (json alone gives no positions)."""
    decoder = json.JSONDecoder()
    elements: list[tuple[int, Any]] = []
    index = _skip_space(text, 0)
    if not text.startswith("[", index):
        raise log.fail(_line_of(text, index), None, "expected a JSON array of transactions")
    index = _skip_space(text, index + 1)
    while not text.startswith("]", index):
        try:
            element, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError as error:
            raise log.fail(error.lineno, None, f"malformed JSON: {error.msg}") from None
        elements.append((_line_of(text, index), element))
        index = _skip_space(text, end)
        if text.startswith(",", index):
            index = _skip_space(text, index + 1)
        elif not text.startswith("]", index):
            raise log.fail(_line_of(text, index), None, "malformed JSON: expected ',' or ']'")
    if text[index + 1 :].strip():
        raise log.fail(_line_of(text, index + 1), None, "unexpected data after the array")
    return elements


def _line(row: RowReader) -> SettlementLine | None:
    reference = row.required("id")
    status = row.required("status")
    if status and status not in _SETTLED_STATES:
        row.fail("status", f"{status!r} is not a settled state")
    is_refund = bool(row.text("refundedTransaction.id")) or row.text("__typename") == "Refund"
    sign = Decimal(-1) if is_refund else Decimal(1)
    gross = _money(row, "amount", sign)
    if gross is None and not row.text("amount.value"):
        row.fail("amount.value", "missing value")
    net = _money(row, "disbursementDetails.amount", sign)
    batch_id, settled_at = _settlement(row)
    booked_at = _timestamp(row, settled_at) if settled_at else _timestamp(row, "createdAt")
    if not row.ok or gross is None or booked_at is None:
        return None
    same_currency = net is not None and net.currency == gross.currency
    fee = gross - net if net is not None and same_currency else Money.zero(gross.currency)
    disbursed_on = row.optional("disbursementDetails.date")
    account = row.text("merchantAccountId")
    return SettlementLine(
        source_format="braintree",
        report_id=batch_id or reference,
        line_number=row.line,
        record_type="refund" if is_refund else "payment",
        raw_type=f"{status} refund" if is_refund else status,
        processor_reference=reference,
        merchant_reference=row.optional("orderId"),
        booked_at=booked_at,
        gross=gross,
        net=net,
        fee=fee,
        fee_breakdown={} if fee.is_zero() else {"processing": fee},
        payout_id=f"{account}/{disbursed_on}" if disbursed_on else None,
        exchange_rate=row.optional("disbursementDetails.exchangeRate"),
        original=gross if net is not None and not same_currency else None,
        raw=dict(row.values),
    )


def _money(row: RowReader, prefix: str, sign: Decimal) -> Money | None:
    amount = row.decimal(f"{prefix}.value")
    if amount is None:
        return None
    currency = row.currency(f"{prefix}.currencyCode", required=True)
    return row.money(f"{prefix}.value", currency, amount * sign)


def _settlement(row: RowReader) -> tuple[str | None, str | None]:
    """(settlement batch id, the raw key of its timestamp) from the status history."""
    index = 0
    while f"statusHistory.{index}" in row.values or any(
        key.startswith(f"statusHistory.{index}.") for key in row.values
    ):
        batch = row.text(f"statusHistory.{index}.settlementBatchId")
        if batch:
            return batch, f"statusHistory.{index}.timestamp"
        index += 1
    return None, None


def _timestamp(row: RowReader, key: str) -> datetime | None:
    text = row.required(key)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        row.fail(key, f"not an ISO 8601 date-time: {text!r}")
        return None
    if moment.utcoffset() is None:
        row.fail(key, f"date-time has no time zone: {text!r}")
        return None
    return moment.astimezone(UTC)


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested JSON as dotted keys (`amount.value`, `statusHistory.0.timestamp`) of string values."""
    items: list[tuple[str, Any]]
    if isinstance(value, dict):
        items = [(str(key), item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(str(index), item) for index, item in enumerate(value)]
    else:
        text = "" if value is None else json.dumps(value) if isinstance(value, bool) else str(value)
        return {prefix: text}
    flat: dict[str, str] = {}
    for key, item in items:
        flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    if not flat and prefix:
        flat[prefix] = ""
    return flat


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1
