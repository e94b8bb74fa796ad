"""`retail-sync contracts check` passes on the committed contracts and fails on drift or a breaking change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from retail_sync_cli.main import REPO_ROOT, cli

ITEM_SCHEMA = Path("events/master/item_upserted.v1.schema.json")


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    target = tmp_path / "contracts"
    shutil.copytree(REPO_ROOT / "contracts", target)
    return target


def run_check(contracts_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["contracts", "check", "--dir", str(contracts_dir)])
    return result.exit_code, result.output


def edit_item_schema(contracts_dir: Path, change: object) -> None:
    path = contracts_dir / ITEM_SCHEMA
    schema = json.loads(path.read_text())
    change(schema["$defs"]["Item"])  # type: ignore[operator]
    path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")


def test_committed_contracts_match_the_code(contracts: Path) -> None:
    code, output = run_check(contracts)
    assert code == 0, output
    assert "contracts match the code" in output


def test_a_published_field_the_code_no_longer_has_is_breaking(contracts: Path) -> None:
    edit_item_schema(contracts, lambda item: item["properties"].update(colour={"type": "string"}))
    code, output = run_check(contracts)
    assert code == 1
    assert "BREAKING" in output
    assert "Item: property 'colour' removed" in output


def test_a_changed_field_type_is_breaking(contracts: Path) -> None:
    edit_item_schema(contracts, lambda item: item["properties"].update(sku={"type": "integer"}))
    code, output = run_check(contracts)
    assert code == 1
    assert "Item: property 'sku' changed" in output


def test_an_additive_change_is_out_of_date_but_not_breaking(contracts: Path) -> None:
    def drop_optional_field(item: dict[str, dict[str, object]]) -> None:
        del item["properties"]["vendor_id"]

    edit_item_schema(contracts, drop_optional_field)
    code, output = run_check(contracts)
    assert code == 1
    assert "out of date" in output
    assert "BREAKING" not in output


def test_a_missing_schema_fails(contracts: Path) -> None:
    (contracts / ITEM_SCHEMA).unlink()
    code, output = run_check(contracts)
    assert code == 1
    assert "missing" in output


def test_generate_refuses_to_overwrite_with_a_breaking_change(contracts: Path) -> None:
    edit_item_schema(contracts, lambda item: item["properties"].update(colour={"type": "string"}))
    result = CliRunner().invoke(cli, ["contracts", "generate", "--dir", str(contracts)])
    assert result.exit_code == 1
    assert "vN+1" in result.output
