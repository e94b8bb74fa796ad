"""The posting rules a chart gets until finance loads its own (plain data, see rules.py).

Accounts follow a common retail US-GAAP layout; tax payable and tender clearing can be split per
jurisdiction / tender kind / processor by adding more specific account rules.
"""

from __future__ import annotations

from typing import Any

from order_ledger.domain.rules import PostingRules, decode_rules

_CUSTOMER_PAYS = {
    "line": "credit",
    "gift_card_line": "credit",
    "discount": "debit",
    "vendor_funding": "debit",
    "tax": "credit",
    "shipping": "credit",
    "tender": "debit",
    "price_adjustment": "credit",
}
_CUSTOMER_PAID_BACK = {
    amount: "debit" if side == "credit" else "credit" for amount, side in _CUSTOMER_PAYS.items()
}

DEFAULT_RULES_DATA: dict[str, Any] = {
    "chart_id": "default",
    "transaction_types": {
        "sale": {"sides": _CUSTOMER_PAYS},
        "exchange": {"sides": _CUSTOMER_PAYS},
        "return": {"sides": _CUSTOMER_PAID_BACK},
    },
    "roles": {
        "line": "revenue",
        "gift_card_line": "gift_card_liability",
        "vendor_funding": "vendor_funding_receivable",
        "tax": "tax_payable",
        "shipping": "shipping_revenue",
        "price_adjustment": "contra_revenue",
    },
    "treatment_roles": {
        "promotional_discount": "contra_revenue",
        "coupon": "contra_revenue",
        "markdown": "markdown",
        "manufacturer_coupon": "vendor_funding_receivable",
    },
    "tender_roles": {
        "card": "tender_clearing",
        "cash": "tender_clearing",
        "marketplace": "tender_clearing",
        "other": "tender_clearing",
        "gift_card": "gift_card_liability",
        "loyalty": "loyalty_liability",
        "store_credit": "store_credit_liability",
    },
    "variance_roles": {
        "processor_fee": {"role": "processor_fee"},
        "currency_conversion": {"role": "fx_variance"},
        "marketplace_commission": {"role": "marketplace_commission"},
        "chargeback": {"role": "chargeback"},
        "reserve": {"role": "reserve"},
        "other": {"role": "other"},
    },
    "accounts": [
        {"role": "revenue", "account": "4000"},
        {"role": "shipping_revenue", "account": "4010"},
        {"role": "contra_revenue", "account": "4100"},
        {"role": "contra_revenue", "account": "4110", "treatment": "coupon"},
        {"role": "markdown", "account": "4120"},
        {"role": "vendor_funding_receivable", "account": "1300"},
        {"role": "tax_payable", "account": "2200"},
        {"role": "tender_clearing", "account": "1150"},
        {"role": "tender_clearing", "account": "1100", "tender_kind": "cash"},
        {"role": "tender_clearing", "account": "1160", "tender_kind": "marketplace"},
        {"role": "gift_card_liability", "account": "2300"},
        {"role": "loyalty_liability", "account": "2310"},
        {"role": "store_credit_liability", "account": "2320"},
        {"role": "cogs", "account": "5000"},
        {"role": "cogs", "account": "5200", "treatment": "return_write_off"},
        {"role": "inventory", "account": "1400"},
        {"role": "processor_fee", "account": "6100"},
        {"role": "marketplace_commission", "account": "6110"},
        {"role": "chargeback", "account": "6120"},
        {"role": "reserve", "account": "1170"},
        {"role": "fx_variance", "account": "7900"},
        {"role": "other", "account": "6999"},
    ],
    "gift_card_categories": ["GIFT_CARDS"],
}


def default_rules(chart_id: str = "default") -> PostingRules:
    return decode_rules(DEFAULT_RULES_DATA | {"chart_id": chart_id})
