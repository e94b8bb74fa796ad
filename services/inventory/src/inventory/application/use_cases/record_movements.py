"""RecordMovements: take a batch of movement records from WMS/OMS/POS/ERP.

Rules: each record is decoded, validated and applied in its own transaction, so good records are
kept when others are bad; each gets an outcome: ``accepted``, ``duplicate`` (idempotency key
already recorded: no effect) or ``rejected`` with the field and reason (unknown type, missing
disposition, negative quantity, shipping more than on hand ...). Nothing rejected is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec
from canon.errors import ValidationError

from inventory.application.ports import ItemCosts, UnitOfWork
from inventory.application.use_cases.recording import record_movement
from inventory.domain.decoding import decode_movement
from inventory.domain.movements import Movement

MovementRecord = bytes | str | Mapping[str, Any] | Movement


class RecordOutcome(msgspec.Struct, frozen=True, kw_only=True):
    index: int
    status: Literal["accepted", "duplicate", "rejected"]
    idempotency_key: str | None = None
    field: str | None = None
    reason: str | None = None


class BatchOutcome(msgspec.Struct, frozen=True, kw_only=True):
    outcomes: list[RecordOutcome]

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def rejected(self) -> list[RecordOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "rejected"]


class RecordMovements:
    def __init__(self, uow: UnitOfWork, item_costs: ItemCosts | None = None) -> None:
        self._uow = uow
        self._item_costs = item_costs

    async def __call__(self, records: Sequence[MovementRecord]) -> BatchOutcome:
        return BatchOutcome(outcomes=[await self._one(index, record) for index, record in enumerate(records)])

    async def _one(self, index: int, record: MovementRecord) -> RecordOutcome:
        key = _key_of(record)
        try:
            movement = decode_movement(record)
            key = movement.idempotency_key
            async with self._uow as uow:
                recorded = await record_movement(uow, movement, self._item_costs)
                await uow.commit()
        except ValidationError as error:
            return RecordOutcome(
                index=index, status="rejected", idempotency_key=key, field=error.field, reason=error.reason
            )
        return RecordOutcome(index=index, status=recorded.status, idempotency_key=key)


def _key_of(record: MovementRecord) -> str | None:
    """The record's idempotency key when readable, so a rejection names the record."""
    if isinstance(record, Mapping):
        key = record.get("idempotency_key")
        return key if isinstance(key, str) else None
    return getattr(record, "idempotency_key", None)
