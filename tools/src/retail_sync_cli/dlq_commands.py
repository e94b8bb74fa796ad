"""`retail-sync dlq list|show|replay`: dead letters of every consumer, with their reasons."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
import nats
from messaging.dlq import DeadLetters
from messaging.topology import Topology

T = TypeVar("T")


def _run(action: Callable[[DeadLetters], Awaitable[T]]) -> T:
    async def main() -> T:
        client = await nats.connect(os.environ.get("RETAIL_SYNC_NATS_URL", "nats://127.0.0.1:4223"))
        try:
            topology = Topology(os.environ.get("RETAIL_SYNC_NATS_NAMESPACE", ""))
            return await action(DeadLetters(client.jetstream(), topology))
        finally:
            await client.close()

    return asyncio.run(main())


@click.group()
def dlq() -> None:
    """Dead-letter queue (uses RETAIL_SYNC_NATS_URL)."""


@dlq.command("list")
@click.option("--limit", default=100, show_default=True)
@click.option("--consumer", default=None)
def dlq_list(limit: int, consumer: str | None) -> None:
    letters = _run(lambda dead: dead.list(limit, consumer=consumer))
    for letter in letters:
        click.echo(
            f"{letter.seq}\t{letter.consumer}\t{letter.original_subject}\t{letter.event_id}\t{letter.reason}"
        )
    click.echo(f"{len(letters)} dead letter(s)")


@dlq.command("show")
@click.argument("seq", type=int)
def dlq_show(seq: int) -> None:
    letter = _run(lambda dead: dead.get(seq))
    click.echo(f"seq: {letter.seq}\nconsumer: {letter.consumer}\nsubject: {letter.original_subject}")
    click.echo(f"event id: {letter.event_id}\nreason: {letter.reason}")
    for name, value in sorted(letter.headers.items()):
        click.echo(f"header {name}: {value}")
    click.echo(letter.data.decode("utf-8", errors="replace"))


@dlq.command("replay")
@click.argument("seq", type=int)
def dlq_replay(seq: int) -> None:
    """Re-publish a dead letter to its original subject (after the cause is fixed)."""
    _run(lambda dead: dead.replay(seq))
    click.echo(f"replayed {seq}")
