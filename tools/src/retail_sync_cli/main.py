"""The `retail-sync` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from retail_sync_cli import contracts as contract_files
from retail_sync_cli.bench import bench
from retail_sync_cli.demo import demo
from retail_sync_cli.dlq_commands import dlq
from retail_sync_cli.infra_check import infra
from retail_sync_cli.loadgen import loadgen
from retail_sync_cli.up import up

REPO_ROOT = Path(__file__).resolve().parents[3]


@click.group()
def cli() -> None:
    """retail-sync: promotions, inventory, sales and money kept in step across retail systems."""


@cli.group()
def contracts() -> None:
    """Published event contracts (JSON Schema + AsyncAPI) under contracts/."""


@contracts.command("generate")
@click.option("--dir", "contracts_dir", type=click.Path(path_type=Path), default=REPO_ROOT / "contracts")
@click.option("--allow-breaking", is_flag=True, help="Overwrite a published schema with a breaking change.")
def contracts_generate(contracts_dir: Path, allow_breaking: bool) -> None:
    """Write the schemas generated from the canonical types."""
    try:
        written = contract_files.generate(contracts_dir, allow_breaking=allow_breaking)
    except RuntimeError as error:
        click.echo(str(error), err=True)
        click.echo("publish the change as a new version (vN+1) instead", err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"{len(written)} file(s) written")


@contracts.command("check")
@click.option("--dir", "contracts_dir", type=click.Path(path_type=Path), default=REPO_ROOT / "contracts")
def contracts_check(contracts_dir: Path) -> None:
    """Fail when the code no longer matches the committed contracts, or breaks a published one."""
    report = contract_files.check(contracts_dir)
    for path in report.missing:
        click.echo(f"missing: {path} (run `retail-sync contracts generate`)", err=True)
    for problem in report.breaking:
        click.echo(f"BREAKING: {problem}", err=True)
    for path in report.stale:
        click.echo(f"out of date: {path}", err=True)
    if not report.ok:
        if report.breaking:
            click.echo("a published vN never changes incompatibly: publish vN+1", err=True)
        sys.exit(1)
    click.echo("contracts match the code")


cli.add_command(up)
cli.add_command(bench)
cli.add_command(dlq)
cli.add_command(infra)
cli.add_command(loadgen)
cli.add_command(demo)


if __name__ == "__main__":
    cli()
