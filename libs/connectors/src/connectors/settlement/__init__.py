"""Settlement file parsers: provider file bytes -> canon.settlement.SettlementReport (pure)."""

from connectors.settlement.adyen import adyen_table, parse_adyen
from connectors.settlement.amazon import parse_amazon
from connectors.settlement.braintree import parse_braintree
from connectors.settlement.detect import detect_and_parse, sniff_settlement_format
from connectors.settlement.paypal import parse_paypal
from connectors.settlement.stripe import parse_stripe

__all__ = [
    "adyen_table",
    "detect_and_parse",
    "parse_adyen",
    "parse_amazon",
    "parse_braintree",
    "parse_paypal",
    "parse_stripe",
    "sniff_settlement_format",
]
