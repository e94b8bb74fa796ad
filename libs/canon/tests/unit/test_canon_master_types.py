"""Each master record type: a valid example, its key, and bad values naming the field."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from canon.errors import ValidationError
from canon.master_data import (
    MASTER_RECORD_TYPES,
    AccountingDimension,
    Category,
    Channel,
    FiscalCalendar,
    FiscalPeriod,
    GlAccount,
    Item,
    ItemCost,
    LegalEntity,
    Node,
    TaxCode,
)
from canon.money import Money

VALID: dict[str, dict[str, Any]] = {
    "item": {"sku": "LAMP-01", "name": "Desk lamp", "category_id": "LIGHTING", "vendor_id": "V-9"},
    "category": {"category_id": "LIGHTING", "name": "Lighting", "parent_id": "HOME"},
    "tax_code": {
        "region": "US-TX",
        "tax_class": "standard",
        "code": "TX-STD",
        "jurisdiction": "Texas",
        "rate": "0.0825",
    },
    "item_cost": {
        "sku": "LAMP-01",
        "legal_entity_id": "LE-US",
        "unit_cost": Money(1250, "USD"),
        "effective_from": datetime(2026, 1, 1, tzinfo=UTC),
    },
    "node": {
        "node_id": "STORE-12",
        "name": "Austin Downtown",
        "kind": "store",
        "region": "US-TX",
        "legal_entity_id": "LE-US",
        "timezone": "America/Chicago",
        "store_cluster": "urban",
        "serves_channels": ["STORES-US", "WEB-US"],
    },
    "channel": {
        "channel_id": "WEB-US",
        "name": "US web shop",
        "kind": "ecommerce",
        "legal_entity_id": "LE-US",
        "currency": "USD",
    },
    "gl_account": {
        "chart_id": "US-COA",
        "account_number": "4100",
        "name": "Sales discounts",
        "account_type": "revenue",
        "normal_balance": "debit",
    },
    "accounting_dimension": {"dimension": "cost_center", "code": "CC-100", "name": "Store operations"},
    "legal_entity": {
        "legal_entity_id": "LE-US",
        "name": "Retail Co US Inc.",
        "country": "US",
        "functional_currency": "USD",
        "chart_id": "US-COA",
        "timezone": "America/New_York",
    },
    "fiscal_calendar": {
        "legal_entity_id": "LE-US",
        "fiscal_year": 2026,
        "periods": [
            FiscalPeriod(period_id="2026-01", start=date(2026, 1, 1), end=date(2026, 1, 31)),
            FiscalPeriod(period_id="2026-02", start=date(2026, 2, 1), end=date(2026, 2, 28)),
        ],
    },
}

EXPECTED_KEYS = {
    "item": "LAMP-01",
    "category": "LIGHTING",
    "tax_code": "US-TX:standard",
    "item_cost": "LAMP-01:LE-US",
    "node": "STORE-12",
    "channel": "WEB-US",
    "gl_account": "US-COA:4100",
    "accounting_dimension": "cost_center:CC-100",
    "legal_entity": "LE-US",
    "fiscal_calendar": "LE-US:2026",
}


def build(record_type: str, **overrides: Any) -> Any:
    return MASTER_RECORD_TYPES[record_type](**{**VALID[record_type], **overrides})


@pytest.mark.parametrize("record_type", list(MASTER_RECORD_TYPES))
def test_valid_record_has_its_business_key(record_type: str) -> None:
    assert build(record_type).key == EXPECTED_KEYS[record_type]


@pytest.mark.parametrize("record_type", list(MASTER_RECORD_TYPES))
def test_record_round_trips_through_json(record_type: str) -> None:
    record = build(record_type)
    decoded = msgspec.json.decode(msgspec.json.encode(record), type=type(record), strict=True)
    assert decoded == record


def test_record_types_are_the_ten_master_types() -> None:
    assert {
        "item": Item,
        "category": Category,
        "tax_code": TaxCode,
        "item_cost": ItemCost,
        "node": Node,
        "channel": Channel,
        "gl_account": GlAccount,
        "accounting_dimension": AccountingDimension,
        "legal_entity": LegalEntity,
        "fiscal_calendar": FiscalCalendar,
    } == MASTER_RECORD_TYPES


def test_item_defaults() -> None:
    item = build("item")
    assert (item.uom, item.status, item.tax_class, item.attributes, item.quantity_scale) == (
        "EA",
        "active",
        "standard",
        {},
        0,
    )
    assert item.is_active
    assert TaxCode(**VALID["tax_code"]).rate_decimal == Decimal("0.0825")


@pytest.mark.parametrize(
    ("record_type", "overrides", "field"),
    [
        ("item", {"sku": ""}, "sku"),
        ("item", {"sku": " LAMP-01"}, "sku"),
        ("item", {"name": "   "}, "name"),
        ("item", {"status": "discontinued"}, "status"),
        ("item", {"vendor_id": ""}, "vendor_id"),
        ("item", {"attributes": {"colour": 3}}, "attributes.colour"),
        ("item", {"quantity_scale": 7}, "quantity_scale"),
        ("category", {"parent_id": "LIGHTING"}, "parent_id"),
        ("category", {"category_id": 12}, "category_id"),
        ("tax_code", {"rate": "1"}, "rate"),
        ("tax_code", {"rate": "-0.01"}, "rate"),
        ("tax_code", {"rate": "8.25%"}, "rate"),
        ("tax_code", {"jurisdiction": ""}, "jurisdiction"),
        ("item_cost", {"unit_cost": Money(-1, "USD")}, "unit_cost"),
        ("item_cost", {"effective_from": datetime(2026, 1, 1)}, "effective_from"),
        (
            "item_cost",
            {"effective_from": datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-5)))},
            "effective_from",
        ),
        ("node", {"kind": "warehouse"}, "kind"),
        ("node", {"timezone": "Mars/Olympus"}, "timezone"),
        ("node", {"serves_channels": ["WEB-US", "WEB-US"]}, "serves_channels[1]"),
        ("node", {"serves_channels": ["WEB-US", ""]}, "serves_channels[1]"),
        ("channel", {"kind": "fax"}, "kind"),
        ("channel", {"currency": "usd"}, "currency"),
        ("gl_account", {"account_type": "income"}, "account_type"),
        ("gl_account", {"normal_balance": "left"}, "normal_balance"),
        ("accounting_dimension", {"dimension": "Cost Center"}, "dimension"),
        ("accounting_dimension", {"code": ""}, "code"),
        ("legal_entity", {"country": "USA"}, "country"),
        ("legal_entity", {"country": "XX"}, "country"),
        ("legal_entity", {"functional_currency": "DOLLAR"}, "functional_currency"),
        ("legal_entity", {"timezone": "EST5EDT-ish"}, "timezone"),
        ("fiscal_calendar", {"periods": []}, "periods"),
        ("fiscal_calendar", {"fiscal_year": 26}, "fiscal_year"),
    ],
)
def test_invalid_value_names_its_field(record_type: str, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        build(record_type, **overrides)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")


def test_any_accounting_dimension_token_is_accepted() -> None:
    dimension = AccountingDimension(dimension="project", code="P-1", name="Store refit")
    assert dimension.key == "project:P-1"
