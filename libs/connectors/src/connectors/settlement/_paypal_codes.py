"""PayPal transaction event codes (T-codes) -> canonical record types.

The code's first two digits name its group (T00xx payments, T02xx currency conversion, T04xx
withdrawals to a bank, T11xx reversals, T12xx chargebacks ...); a few codes inside a group mean
something else and are listed one by one.
"""

from __future__ import annotations

from canon.settlement import RecordType

_BY_CODE: dict[str, RecordType] = {
    "T1106": "chargeback",  # payment reversal initiated by PayPal
    "T1107": "refund",
    "T1108": "fee",  # fee reversal
    "T1110": "chargeback",  # hold for dispute investigation
    "T1111": "chargeback_reversal",  # release of a dispute hold
    "T1202": "chargeback_reversal",
}

_BY_GROUP: dict[str, RecordType] = {
    "T00": "payment",
    "T01": "fee",
    "T02": "currency_conversion",
    "T03": "other",  # funding from a bank account
    "T04": "payout",
    "T08": "adjustment",  # bonus
    "T09": "adjustment",  # incentive
    "T11": "refund",
    "T12": "chargeback",
    "T15": "reserve",  # holds
    "T16": "reserve",  # releases of holds
    "T17": "reserve",
    "T19": "adjustment",  # account correction
    "T21": "reserve",  # reserves and releases
}


def record_type_for(event_code: str) -> RecordType:
    return _BY_CODE.get(event_code) or _BY_GROUP.get(event_code[:3], "other")
