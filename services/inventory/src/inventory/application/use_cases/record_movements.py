"""RecordMovements: take a batch of movement records from WMS/OMS/POS/ERP.

Rules: each record is decoded and validated, its sku and node must be known to master data, and
the good ones are applied in order in one transaction per chunk, so good records are kept when
others are bad; each gets an outcome: ``accepted``, ``duplicate`` (idempotency key already
recorded: no effect) or ``rejected`` with the field and reason (unknown type, sku or node, missing
disposition, negative quantity, shipping more than on hand ...). Nothing rejected is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec
from canon.errors import ValidationError

from inventory.application.errors import ConcurrentChangeError
from inventory.application.ports import ItemCosts, References, UnitOfWork
from inventory.application.use_cases.recording_batch import MovementResult, record_batch
from inventory.domain.decoding import decode_movement
from inventory.domain.errors import InsufficientOnHand, UnknownReference
from inventory.domain.movements import Movement

MovementRecord = bytes | str | Mapping[str, Any] | Movement


class RecordOutcome(msgspec.Struct, frozen=True, kw_only=True):
    index: int
    status: Literal["accepted", "duplicate", "rejected"]
    idempotency_key: str | None = None
    field: str | None = None
    reason: str | None = None
    retryable: bool = False
    """The record may be accepted later as it is: it names a sku or node master data does not know
    yet, or takes more than is on hand (the receipt may not have arrived yet). Every other rejection
    needs a corrected record."""


class BatchOutcome(msgspec.Struct, frozen=True, kw_only=True):
    outcomes: list[RecordOutcome]

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def rejected(self) -> list[RecordOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "rejected"]


class RecordMovements:
    """``chunk_size`` records per transaction; a transaction that lost a race is run again."""

    def __init__(
        self,
        uow: UnitOfWork,
        item_costs: ItemCosts | None = None,
        references: References | None = None,
        chunk_size: int = 500,
        attempts: int = 3,
    ) -> None:
        self._uow = uow
        self._item_costs = item_costs
        self._references = references
        self._chunk_size = chunk_size
        self._attempts = attempts

    async def __call__(self, records: Sequence[MovementRecord]) -> BatchOutcome:
        valid, outcomes = await self.decode_and_check(records)
        for start in range(0, len(valid), self._chunk_size):
            chunk = valid[start : start + self._chunk_size]
            results = await self._record(chunk)
            for (index, movement), result in zip(chunk, results, strict=True):
                outcomes[index] = outcome_of(index, movement.idempotency_key, result)
        return BatchOutcome(outcomes=[outcomes[index] for index in range(len(records))])

    async def decode_and_check(
        self, records: Sequence[MovementRecord]
    ) -> tuple[list[tuple[int, Movement]], dict[int, RecordOutcome]]:
        """The movements that decode and name known skus and nodes (with their index), and the
        rejections of the others."""
        valid: list[tuple[int, Movement]] = []
        rejected: dict[int, RecordOutcome] = {}
        for index, record in enumerate(records):
            try:
                valid.append((index, decode_movement(record)))
            except ValidationError as error:
                rejected[index] = rejection(index, _key_of(record), error)
        if self._references is not None and valid:
            unknown = await reference_errors(self._references, [movement for _, movement in valid])
            for position, unknown_reference in unknown.items():
                index, movement = valid[position]
                rejected[index] = rejection(index, movement.idempotency_key, unknown_reference)
            valid = [entry for position, entry in enumerate(valid) if position not in unknown]
        return valid, rejected

    async def _record(self, chunk: list[tuple[int, Movement]]) -> list[MovementResult]:
        for attempt in range(1, self._attempts + 1):
            try:
                async with self._uow as uow:
                    results = await record_batch(uow, [m for _, m in chunk], self._item_costs)
                    if any(result.status == "accepted" for result in results):
                        await uow.commit()
                return results
            except ConcurrentChangeError:
                if attempt == self._attempts:
                    raise
        raise AssertionError("unreachable")


async def reference_errors(
    references: References, movements: Sequence[Movement]
) -> dict[int, UnknownReference]:
    """By position in ``movements``: the first unknown sku, node or destination node it names."""
    skus = {movement.sku for movement in movements}
    nodes = {movement.node for movement in movements} | {
        destination for movement in movements if (destination := getattr(movement, "destination_node", None))
    }
    unknown_skus = await references.unknown_items(skus)
    unknown_nodes = await references.unknown_nodes(nodes)
    errors: dict[int, UnknownReference] = {}
    for position, movement in enumerate(movements):
        destination = getattr(movement, "destination_node", None)
        if movement.sku in unknown_skus:
            errors[position] = UnknownReference("sku", "sku", movement.sku)
        elif movement.node in unknown_nodes:
            errors[position] = UnknownReference("node", "node", movement.node)
        elif destination in unknown_nodes:
            errors[position] = UnknownReference("destination_node", "node", destination)
    return errors


def rejection(index: int, key: str | None, error: ValidationError) -> RecordOutcome:
    return RecordOutcome(
        index=index,
        status="rejected",
        idempotency_key=key,
        field=error.field,
        reason=error.reason,
        retryable=isinstance(error, UnknownReference | InsufficientOnHand),
    )


def outcome_of(index: int, key: str, result: MovementResult) -> RecordOutcome:
    if result.error is not None:
        return rejection(index, key, result.error)
    return RecordOutcome(index=index, status=result.status, idempotency_key=key)


def _key_of(record: MovementRecord) -> str | None:
    """The record's idempotency key when readable, so a rejection names the record."""
    if isinstance(record, Mapping):
        key = record.get("idempotency_key")
        return key if isinstance(key, str) else None
    if isinstance(record, bytes | str):
        try:
            key = msgspec.json.decode(record, type=_KeyOnly).idempotency_key
        except (msgspec.ValidationError, msgspec.DecodeError):
            return None
        return key
    return getattr(record, "idempotency_key", None)


class _KeyOnly(msgspec.Struct):
    idempotency_key: str | None = None
