from datetime import UTC, datetime, timedelta, timezone

import pytest
from canon.envelope import Envelope, caused_by
from canon.errors import ValidationError

AT = datetime(2026, 11, 3, 14, 5, 0, 250000, tzinfo=UTC)


def item_envelope(**overrides: object) -> Envelope:
    fields: dict[str, object] = {
        "id": "0f6c9d1e-1111-7000-8000-000000000001",
        "type": "retail.master.item_upserted.v1",
        "source": "/retail-sync/master_data",
        "time": AT,
        "subject": "SKU-1",
    }
    fields.update(overrides)
    return Envelope(**fields)  # type: ignore[arg-type]


def test_to_headers_writes_cloudevents_and_dedupe_headers() -> None:
    envelope = item_envelope(correlation_id="corr-1", causation_id="cause-1")
    assert envelope.to_headers() == {
        "ce-id": "0f6c9d1e-1111-7000-8000-000000000001",
        "ce-type": "retail.master.item_upserted.v1",
        "ce-source": "/retail-sync/master_data",
        "ce-time": "2026-11-03T14:05:00.250000Z",
        "ce-specversion": "1.0",
        "ce-subject": "SKU-1",
        "ce-datacontenttype": "application/json",
        "correlation-id": "corr-1",
        "causation-id": "cause-1",
        "Nats-Msg-Id": "0f6c9d1e-1111-7000-8000-000000000001",
    }


def test_absent_optional_attributes_are_left_out() -> None:
    headers = item_envelope(subject=None).to_headers()
    assert "ce-subject" not in headers
    assert "ce-dataschema" not in headers
    assert "correlation-id" not in headers
    assert "causation-id" not in headers


@pytest.mark.parametrize(
    "envelope",
    [
        item_envelope(),
        item_envelope(subject=None, dataschema="events/master/item_upserted.v1.schema.json"),
        item_envelope(correlation_id="c", causation_id="p", time=AT.replace(microsecond=0)),
    ],
)
def test_headers_round_trip(envelope: Envelope) -> None:
    assert Envelope.from_headers(envelope.to_headers()) == envelope


def test_from_headers_matches_names_case_insensitively_and_accepts_offsets() -> None:
    headers = {key.upper(): value for key, value in item_envelope().to_headers().items()}
    headers["CE-TIME"] = "2026-11-03T16:05:00.25+02:00"
    assert Envelope.from_headers(headers) == item_envelope()


@pytest.mark.parametrize("missing", ["ce-id", "ce-type", "ce-source", "ce-time", "ce-specversion"])
def test_missing_required_header_is_named(missing: str) -> None:
    headers = item_envelope().to_headers()
    del headers[missing]
    with pytest.raises(ValidationError) as raised:
        Envelope.from_headers(headers)
    assert raised.value.field == missing
    assert raised.value.reason == "missing header"


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("ce-time", "yesterday"),
        ("ce-time", "2026-11-03T14:05:00"),
        ("ce-specversion", "0.3"),
        ("ce-id", ""),
        ("ce-subject", "  "),
    ],
)
def test_invalid_header_is_named(header: str, value: str) -> None:
    headers = item_envelope().to_headers()
    headers[header] = value
    with pytest.raises(ValidationError) as raised:
        Envelope.from_headers(headers)
    assert raised.value.field == header


@pytest.mark.parametrize(
    "bad_time",
    [datetime(2026, 11, 3, 14, 5), datetime(2026, 11, 3, 14, 5, tzinfo=timezone(timedelta(hours=2)))],
)
def test_time_must_be_utc(bad_time: datetime) -> None:
    with pytest.raises(ValidationError) as raised:
        item_envelope(time=bad_time)
    assert raised.value.field == "time"


def test_new_fills_id_time_and_starts_a_correlation_chain() -> None:
    before = datetime.now(UTC)
    envelope = Envelope.new("retail.sales.transaction_recorded.v1", "/retail-sync/order_ledger")
    assert before <= envelope.time <= datetime.now(UTC)
    assert envelope.correlation_id == envelope.id
    assert envelope.causation_id is None
    assert envelope.specversion == "1.0"


def test_new_with_a_cause_inherits_its_correlation_id() -> None:
    root = Envelope.new("retail.sales.transaction_recorded.v1", "/retail-sync/order_ledger", id="e1", time=AT)
    child = Envelope.new("retail.ledger.entry_posted.v1", "/retail-sync/order_ledger", causation=root)
    grandchild = caused_by(child, "retail.recon.exception_raised.v1", "/retail-sync/reconciliation", "ex-1")
    assert (child.correlation_id, child.causation_id) == ("e1", "e1")
    assert (grandchild.correlation_id, grandchild.causation_id) == ("e1", child.id)
    assert grandchild.subject == "ex-1"


def test_explicit_correlation_id_wins() -> None:
    envelope = Envelope.new("t.v1", "/s", correlation_id="from-http-request", id="e2", time=AT)
    assert envelope.correlation_id == "from-http-request"
    assert envelope.id == "e2"
    assert envelope.time == AT
