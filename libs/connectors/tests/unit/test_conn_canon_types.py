"""The canonical settlement and bank types validate themselves and survive a JSON round trip."""

from datetime import date, datetime
from pathlib import Path

import msgspec
import pytest
from canon.bank import BankStatement, BankStatementLine
from canon.errors import ValidationError
from canon.money import Money
from canon.settlement import SettlementLine, SettlementReport
from connectors.bank import parse_camt053
from connectors.settlement import parse_adyen

SAMPLES = Path(__file__).resolve().parents[4] / ".." / "shared" / "samples"


def settlement_line(**changes: object) -> SettlementLine:
    values: dict[str, object] = {
        "source_format": "adyen",
        "report_id": "3",
        "line_number": 2,
        "record_type": "payment",
        "raw_type": "Settled",
        "processor_reference": "4522268860022701",
        "merchant_reference": None,
        "booked_at": datetime.fromisoformat("2016-02-10T18:25:36+00:00"),
        "gross": Money(100, "USD"),
        "net": Money(76, "USD"),
        "fee": Money(24, "USD"),
    }
    return SettlementLine(**(values | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"booked_at": datetime(2016, 2, 10, 18, 25, 36)}, "booked_at"),
        ({"record_type": "sale"}, "record_type"),
        ({"source_format": "worldpay"}, "source_format"),
        ({"line_number": 0}, "line_number"),
        ({"processor_reference": ""}, "processor_reference"),
    ],
)
def test_settlement_line_names_the_bad_field(changes, field):
    with pytest.raises(ValidationError) as caught:
        settlement_line(**changes)
    assert caught.value.field == field


def test_bank_statement_balance_must_be_in_its_currency():
    with pytest.raises(ValidationError) as caught:
        BankStatement(
            source_format="mt940",
            statement_id="s1",
            account="NL00BANK0123456789",
            currency="EUR",
            opening_balance=Money(100, "USD"),
            closing_balance=None,
            lines=[],
        )
    assert caught.value.field == "opening_balance"


def test_bank_line_needs_an_account():
    with pytest.raises(ValidationError) as caught:
        BankStatementLine(
            source_format="bai2",
            statement_id="s1",
            account="",
            line_number=5,
            booked_on=date(2024, 1, 2),
            value_date=None,
            amount=Money(100, "USD"),
            reference=None,
            description="",
        )
    assert caught.value.field == "account"


def test_parsed_files_round_trip_through_json():
    report = parse_adyen((SAMPLES / "adyen_settlement/settlement_detail_report_donation.csv").read_bytes())
    assert msgspec.json.decode(msgspec.json.encode(report), type=SettlementReport) == report
    statements = parse_camt053((SAMPLES / "camt053/oca_test-camt053.xml").read_bytes())
    assert msgspec.json.decode(msgspec.json.encode(statements), type=list[BankStatement]) == statements
