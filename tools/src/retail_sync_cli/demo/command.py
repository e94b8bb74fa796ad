"""`retail-sync demo`: one retail day against a running system, and what each context ended with."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from retail_sync_cli.demo.api import DemoError, default_base_urls, parse_base_urls
from retail_sync_cli.demo.day import DemoSize
from retail_sync_cli.demo.run import DemoOptions, run_demo
from retail_sync_cli.demo.summary import render


def _admin_key(given: str | None, data_dir: Path) -> str:
    if given:
        return given
    if key := os.environ.get("RETAIL_SYNC_BOOTSTRAP_API_KEY"):
        return key
    path = data_dir / "admin-api-key"
    if not path.exists():
        raise click.ClickException(
            f"no API key: pass --api-key, or run `retail-sync up` first ({path} is missing)"
        )
    return path.read_text(encoding="utf-8").strip()


@click.command()
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same day, same summary.")
@click.option("--base-urls", default="", help="service=url,... (default: the local `up` ports).")
@click.option("--api-key", default=None, help="An admin key (default: <data-dir>/admin-api-key).")
@click.option("--author-key", default=None, help="The promotion author's key (default: issued by the demo).")
@click.option("--approver-key", default=None, help="A second person's key (default: issued by the demo).")
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path(".retail-sync"), show_default=True)
@click.option(
    "--trading-day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Default: two days ago (UTC)."
)
@click.option("--skus", type=click.IntRange(30, 200_000), default=DemoSize.skus, show_default=True)
@click.option(
    "--pos-per-store", type=click.IntRange(1, 10_000), default=DemoSize.pos_per_store, show_default=True
)
@click.option("--web-orders", type=click.IntRange(12, 50_000), default=DemoSize.web_orders, show_default=True)
@click.option(
    "--amazon-orders", type=click.IntRange(1, 50_000), default=DemoSize.amazon_orders, show_default=True
)
@click.option(
    "--timeout", "deadline_s", type=float, default=180.0, show_default=True, help="Per wait, seconds."
)
def demo(
    seed: int,
    base_urls: str,
    api_key: str | None,
    author_key: str | None,
    approver_key: str | None,
    data_dir: Path,
    trading_day: object,
    skus: int,
    pos_per_store: int,
    web_orders: int,
    amazon_orders: int,
    deadline_s: float,
) -> None:
    """Load a small retailer, run a weekend BOGO, trade a day, settle it and reconcile; print the summary."""
    console = Console()
    options = DemoOptions(
        urls=parse_base_urls(base_urls, default_base_urls()),
        admin_key=_admin_key(api_key, data_dir),
        seed=seed,
        size=DemoSize(
            skus=skus, pos_per_store=pos_per_store, web_orders=web_orders, amazon_orders=amazon_orders
        ),
        trading_day=trading_day.date() if trading_day is not None else None,  # type: ignore[attr-defined]
        author_key=author_key,
        approver_key=approver_key,
        deadline_s=deadline_s,
    )
    columns = (TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(step, total=total)
            bars.update(tasks[step], completed=done, total=total)

        started = time.monotonic()

        def say(text: str) -> None:
            bars.console.print(f"{time.monotonic() - started:5.1f}s {text}", highlight=False, soft_wrap=True)

        try:
            summary = asyncio.run(run_demo(options, progress, say=say))
        except DemoError as error:
            raise click.ClickException(str(error)) from None
    console.print()
    console.print(render(summary), highlight=False, markup=False, soft_wrap=True)


__all__ = ["demo"]
