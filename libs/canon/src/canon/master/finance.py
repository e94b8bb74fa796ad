"""Accounting master: chart of accounts, accounting dimensions and legal entities."""

from __future__ import annotations

from typing import Literal

import msgspec

from canon import _checks
from canon.errors import ValidationError
from canon.master._countries import ISO_3166_ALPHA2

AccountType = Literal["asset", "liability", "equity", "revenue", "expense"]
NormalBalance = Literal["debit", "credit"]

KNOWN_DIMENSIONS = ("cost_center", "node", "channel", "promotion", "vendor", "legal_entity")
"""Dimensions postings use; ERPs may define more, so any lower-case token is accepted."""


class GlAccount(msgspec.Struct, frozen=True, kw_only=True):
    """A general-ledger account of one chart. The normal balance is data, not derived from the
    type: contra accounts (e.g. sales discounts, a revenue account) have a debit balance."""

    chart_id: str
    account_number: str
    name: str
    account_type: AccountType
    normal_balance: NormalBalance

    def __post_init__(self) -> None:
        _checks.identifier("chart_id", self.chart_id)
        _checks.identifier("account_number", self.account_number)
        _checks.text("name", self.name)
        _checks.one_of("account_type", self.account_type, AccountType)
        _checks.one_of("normal_balance", self.normal_balance, NormalBalance)

    @property
    def key(self) -> str:
        return f"{self.chart_id}:{self.account_number}"


class AccountingDimension(msgspec.Struct, frozen=True, kw_only=True):
    """One value of an analysis dimension, e.g. cost_center ``CC-100`` "Store operations"."""

    dimension: str
    code: str
    name: str

    def __post_init__(self) -> None:
        _checks.slug("dimension", self.dimension)
        _checks.identifier("code", self.code)
        _checks.text("name", self.name)

    @property
    def key(self) -> str:
        return f"{self.dimension}:{self.code}"


class LegalEntity(msgspec.Struct, frozen=True, kw_only=True):
    """A company that keeps books: its country (ISO 3166-1 alpha-2), functional currency,
    chart of accounts and the time zone its business dates and periods are in."""

    legal_entity_id: str
    name: str
    country: str
    functional_currency: str
    chart_id: str
    timezone: str

    def __post_init__(self) -> None:
        _checks.identifier("legal_entity_id", self.legal_entity_id)
        _checks.text("name", self.name)
        if not isinstance(self.country, str) or self.country not in ISO_3166_ALPHA2:
            raise ValidationError("country", f"must be an ISO 3166-1 alpha-2 code, got {self.country!r}")
        _checks.currency("functional_currency", self.functional_currency)
        _checks.identifier("chart_id", self.chart_id)
        _checks.timezone_name("timezone", self.timezone)

    @property
    def key(self) -> str:
        return self.legal_entity_id
