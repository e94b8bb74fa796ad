"""Canonical retail types: money, identifiers, event envelope, master data (pure, no I/O).

Import the core value types from here (``from canon import Money``); master data lives in
:mod:`canon.master_data` and the event catalogue in :mod:`canon.events`.
"""

from canon.currency import exponent
from canon.envelope import Envelope, caused_by
from canon.errors import CurrencyMismatch, DuplicateEventType, ValidationError
from canon.event_type import EventType, register
from canon.ids import NAMESPACE, deterministic_id, event_id_for, new_id
from canon.money import Money, Rounding, sum_money

__all__ = [
    "NAMESPACE",
    "CurrencyMismatch",
    "DuplicateEventType",
    "Envelope",
    "EventType",
    "Money",
    "Rounding",
    "ValidationError",
    "caused_by",
    "deterministic_id",
    "event_id_for",
    "exponent",
    "new_id",
    "register",
    "sum_money",
]
