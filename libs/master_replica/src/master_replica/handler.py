"""Apply a master-data event to the local replica: newest version wins, whatever the arrival order."""

from __future__ import annotations

import msgspec
from canon.envelope import Envelope
from canon.events import CATALOGUE
from messaging.consumer import ConsumerSpec, PermanentError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from master_replica.schema import master_replica

MASTER_SUBJECTS = ("retail.master.>",)


def replica_consumer_spec(service_name: str) -> ConsumerSpec:
    return ConsumerSpec(
        durable=f"{service_name}_master_replica", stream="MASTER", filter_subjects=MASTER_SUBJECTS
    )


async def apply_master_event(session: AsyncSession, envelope: Envelope, data: bytes) -> None:
    event_type = CATALOGUE.get(envelope.type)
    if event_type is None or event_type.context != "master":
        raise PermanentError(f"not a master-data event type: {envelope.type}")
    try:
        event = event_type.decode(data)
    except ValueError as error:
        raise PermanentError(str(error)) from error
    values = {
        "record_type": event.record_type,
        "key": event.key,
        "version": event.version,
        "content": msgspec.to_builtins(event.record),
        "changed_at": event.changed_at,
    }
    statement = insert(master_replica).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[master_replica.c.record_type, master_replica.c.key],
        set_={name: statement.excluded[name] for name in ("version", "content", "changed_at")},
        where=master_replica.c.version < statement.excluded.version,
    )
    await session.execute(statement)
