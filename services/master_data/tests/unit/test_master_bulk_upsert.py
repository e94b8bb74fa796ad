from datetime import UTC, datetime

import msgspec
import pytest
from canon.events import master_event_type
from master_data.adapters.memory import InMemoryUnitOfWork
from master_data.application.use_cases.bulk_upsert import BulkUpsert, UnknownRecordTypeError

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def item(sku: str, name: str = "Lamp", status: str = "active") -> dict[str, object]:
    return {"sku": sku, "name": name, "category_id": "LIGHTING", "status": status, "tax_class": "standard"}


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork()


async def test_stores_good_records_and_names_the_bad_field(uow: InMemoryUnitOfWork) -> None:
    bad = item("LAMP-2") | {"status": "discontinued"}
    result = await BulkUpsert(uow, clock=lambda: NOW)(
        "item", [(1, item("LAMP-1")), (2, bad), (3, item("LAMP-3"))], source="test"
    )
    assert (result.accepted, result.rejected) == (2, 1)
    assert [o.status for o in result.outcomes] == ["created", "rejected", "created"]
    assert result.outcomes[1].errors[0].field == "status"
    assert set(k for _, k in uow.committed_records.current) == {"LAMP-1", "LAMP-3"}
    assert len(uow.committed_outbox.events) == 2


async def test_unchanged_record_keeps_its_version_and_emits_nothing(uow: InMemoryUnitOfWork) -> None:
    upsert = BulkUpsert(uow, clock=lambda: NOW)
    await upsert("item", [(1, item("LAMP-1"))], source="test")
    again = await upsert("item", [(1, item("LAMP-1"))], source="test")
    assert again.outcomes[0].status == "unchanged"
    assert again.outcomes[0].version == 1
    assert len(uow.committed_outbox.events) == 1


async def test_a_change_makes_the_next_version_and_an_event(uow: InMemoryUnitOfWork) -> None:
    upsert = BulkUpsert(uow, clock=lambda: NOW)
    await upsert("item", [(1, item("LAMP-1"))], source="test")
    changed = await upsert("item", [(1, item("LAMP-1", name="Desk lamp"))], source="test")
    assert changed.outcomes[0].status == "updated"
    assert changed.outcomes[0].version == 2
    envelope, payload = uow.committed_outbox.events[-1]
    assert envelope.type == "retail.master.item_upserted.v1"
    assert envelope.subject == "LAMP-1"
    event = master_event_type("item").decode(payload)
    assert event.version == 2
    assert event.record.name == "Desk lamp"


async def test_event_ids_are_deterministic_per_key_and_version(uow: InMemoryUnitOfWork) -> None:
    await BulkUpsert(uow, clock=lambda: NOW)("item", [(1, item("LAMP-1"))], source="test")
    other = InMemoryUnitOfWork()
    await BulkUpsert(other, clock=lambda: NOW)("item", [(1, item("LAMP-1"))], source="test")
    assert uow.committed_outbox.events[0][0].id == other.committed_outbox.events[0][0].id


async def test_a_key_twice_in_one_batch_is_applied_in_order(uow: InMemoryUnitOfWork) -> None:
    result = await BulkUpsert(uow, clock=lambda: NOW)(
        "item", [(1, item("LAMP-1")), (2, item("LAMP-1", name="Desk lamp"))], source="test"
    )
    assert [(o.status, o.version) for o in result.outcomes] == [("created", 1), ("updated", 2)]
    stored = uow.committed_records.current[("item", "LAMP-1")]
    assert msgspec.to_builtins(stored.record)["name"] == "Desk lamp"


async def test_unknown_record_type_is_refused_before_anything_is_stored(uow: InMemoryUnitOfWork) -> None:
    with pytest.raises(UnknownRecordTypeError) as raised:
        await BulkUpsert(uow)("widget", [(1, {})], source="test")
    assert raised.value.field == "record_type"
    assert uow.commits == 0


async def test_all_bad_records_commit_nothing(uow: InMemoryUnitOfWork) -> None:
    result = await BulkUpsert(uow)("item", [(1, {"sku": "X"})], source="test")
    assert result.rejected == 1
    assert uow.commits == 0
