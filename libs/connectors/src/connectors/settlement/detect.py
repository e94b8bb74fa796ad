"""Recognise which processor wrote a settlement file, from its first bytes (the name is a hint only)."""

from __future__ import annotations

from canon.settlement import SettlementReport

from connectors._parsing import ProblemLog
from connectors.settlement.adyen import parse_adyen
from connectors.settlement.amazon import parse_amazon
from connectors.settlement.braintree import parse_braintree
from connectors.settlement.paypal import parse_paypal
from connectors.settlement.stripe import parse_stripe

_PAYPAL_RECORDS = ("RH", "FH", "SH", "CH")


def sniff_settlement_format(content: bytes) -> str | None:
    """'adyen', 'stripe', 'paypal', 'braintree', 'amazon', or None when unrecognised."""
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    first_line = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip()
    if head.startswith(b"["):
        return "braintree"
    if first_line.startswith("Company Account,") or "Psp Reference" in first_line:
        return "adyen"
    if first_line.strip('"').split('"', 1)[0].split(",", 1)[0] in _PAYPAL_RECORDS:
        return "paypal"
    columns = {name.strip().strip('"') for name in first_line.split(",")}
    if {"balance_transaction_id", "reporting_category"} <= columns:
        return "stripe"
    if "settlement-id" in first_line.split("\t"):
        return "amazon"
    return None


def detect_and_parse(content: bytes, filename: str | None = None) -> SettlementReport:
    """Parse a settlement file of any supported processor; ParseError if none fits."""
    parsers = {
        "adyen": parse_adyen,
        "stripe": parse_stripe,
        "paypal": parse_paypal,
        "braintree": parse_braintree,
        "amazon": parse_amazon,
    }
    source = sniff_settlement_format(content)
    if source is None:
        raise ProblemLog(filename).fail(
            1, None, "not a recognised settlement file (Adyen, Stripe, PayPal, Braintree, Amazon)"
        )
    return parsers[source](content, filename=filename)
