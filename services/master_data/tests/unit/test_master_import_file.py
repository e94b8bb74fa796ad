import pytest
from canon.errors import ValidationError
from master_data.adapters.memory import InMemoryUnitOfWork
from master_data.application.import_file import parse_import
from master_data.application.use_cases.bulk_upsert import BulkUpsert

NODES_CSV = b"""node_id,name,kind,region,legal_entity_id,timezone,store_cluster,serves_channels
S001,Store One,store,WEST,LE-US,America/Los_Angeles,WEST-URBAN,STORES|ECOM
S002,Store Two,shop,WEST,LE-US,America/Los_Angeles,,STORES
DC1,Reno DC,dc,WEST,LE-US,America/Los_Angeles,,ECOM
"""


async def test_csv_rows_are_named_by_line_and_good_rows_kept() -> None:
    uow = InMemoryUnitOfWork()
    rows = parse_import("node", "nodes.csv", NODES_CSV)
    assert [line for line, _ in rows] == [2, 3, 4]
    result = await BulkUpsert(uow)("node", rows, source="file", strict_types=False)
    assert [(o.position, o.status) for o in result.outcomes] == [
        (2, "created"),
        (3, "rejected"),
        (4, "created"),
    ]
    assert result.outcomes[1].errors[0].field == "kind"
    store = uow.committed_records.current[("node", "S001")].record
    assert store.serves_channels == ["STORES", "ECOM"]
    assert store.store_cluster == "WEST-URBAN"


async def test_dotted_headers_build_nested_money() -> None:
    content = (
        b"sku,legal_entity_id,unit_cost.amount_minor,unit_cost.currency,effective_from\n"
        b"LAMP-1,LE-US,1250,USD,2026-01-01T00:00:00Z\n"
    )
    result = await BulkUpsert(InMemoryUnitOfWork())(
        "item_cost", parse_import("item_cost", "costs.csv", content), source="file", strict_types=False
    )
    assert result.outcomes[0].status == "created"
    assert result.outcomes[0].key == "LAMP-1:LE-US"


def test_fiscal_calendar_csv_rows_are_grouped_into_calendars() -> None:
    content = (
        b"legal_entity_id,fiscal_year,period_id,start,end,status\n"
        b"LE-US,2026,2026-10,2026-10-01,2026-10-31,closed\n"
        b"LE-US,2026,2026-11,2026-11-01,2026-11-30,open\n"
        b"LE-EU,2026,2026-11,2026-11-01,2026-11-30,open\n"
    )
    rows = parse_import("fiscal_calendar", "calendar.csv", content)
    assert [(line, row["legal_entity_id"], len(row["periods"])) for line, row in rows] == [
        (2, "LE-US", 2),
        (4, "LE-EU", 1),
    ]


def test_json_file_positions_are_indexes() -> None:
    rows = parse_import("category", "c.json", b'{"records": [{"category_id": "A", "name": "a"}]}')
    assert rows == [(1, {"category_id": "A", "name": "a"})]


@pytest.mark.parametrize(
    ("filename", "content", "field"),
    [("x.txt", b"", "filename"), ("x.json", b"{not json", "file"), ("x.csv", b"", "file")],
)
def test_unreadable_files_name_the_problem(filename: str, content: bytes, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_import("item", filename, content)
    assert raised.value.field == field
