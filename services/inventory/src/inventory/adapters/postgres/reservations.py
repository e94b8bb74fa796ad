"""PostgreSQL adapters of the Reservations, Drifts and SafetyStockChanges ports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import msgspec
from canon.money import Money
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inventory.adapters.postgres.tables import drifts, reservations, safety_stock_changes
from inventory.domain.drift import Drift
from inventory.domain.position import PositionKey
from inventory.domain.reservation import Reservation
from inventory.domain.safety_stock import SafetyStockChange

_FIELDS = ("sku", "node", "qty", "open_qty", "status", "expires_at", "created_at", "order_id")
_UPSERT = insert(reservations)
_UPSERT = _UPSERT.on_conflict_do_update(
    index_elements=[reservations.c.reservation_id],
    set_={name: _UPSERT.excluded[name] for name in _FIELDS} | {"updated_at": func.now()},
)


def to_reservation(row: Any) -> Reservation:
    return Reservation(
        reservation_id=row.reservation_id,
        sku=row.sku,
        node=row.node,
        qty=row.qty,
        open_qty=row.open_qty,
        status=row.status,
        expires_at=row.expires_at,
        created_at=row.created_at,
        order_id=row.order_id,
    )


class PostgresReservations:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, reservation_id: str, *, for_update: bool = False) -> Reservation | None:
        return (await self.get_many([reservation_id], for_update=for_update)).get(reservation_id)

    async def get_many(
        self, reservation_ids: Iterable[str], *, for_update: bool = False
    ) -> dict[str, Reservation]:
        wanted = sorted(set(reservation_ids))
        if not wanted:
            return {}
        query = select(reservations).where(reservations.c.reservation_id.in_(wanted))
        if for_update:
            query = query.order_by(reservations.c.reservation_id).with_for_update()
        rows = (await self._session.execute(query)).all()
        return {row.reservation_id: to_reservation(row) for row in rows}

    async def save(self, reservation: Reservation) -> None:
        await self.save_many([reservation])

    async def save_many(self, changed: Iterable[Reservation]) -> None:
        values = [
            {"reservation_id": r.reservation_id} | {name: getattr(r, name) for name in _FIELDS}
            for r in changed
        ]
        if values:
            await self._session.execute(_UPSERT, values)

    async def due(self, now: datetime, limit: int) -> list[Reservation]:
        query = (
            select(reservations)
            .where(reservations.c.status == "open", reservations.c.expires_at <= now)
            .order_by(reservations.c.expires_at, reservations.c.reservation_id)
            .limit(limit)
        )
        return [to_reservation(row) for row in (await self._session.execute(query)).all()]


def to_drift(row: Any) -> Drift:
    value = Money(row.value_minor, row.currency) if row.currency is not None else None
    return Drift(
        sku=row.sku,
        node=row.node,
        source=row.source,
        as_of=row.as_of,
        counted_qty=row.counted_qty,
        derived_qty=row.derived_qty,
        quantity=row.quantity,
        value=value,
        within_tolerance=row.within_tolerance,
        action=row.action,
        reason=row.reason,
    )


class PostgresDrifts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, drift: Drift) -> bool:
        statement = (
            insert(drifts)
            .values(
                source=drift.source,
                sku=drift.sku,
                node=drift.node,
                as_of=drift.as_of,
                counted_qty=drift.counted_qty,
                derived_qty=drift.derived_qty,
                quantity=drift.quantity,
                value_minor=drift.value.amount_minor if drift.value else None,
                currency=drift.value.currency if drift.value else None,
                within_tolerance=drift.within_tolerance,
                action=drift.action,
                reason=drift.reason,
            )
            .on_conflict_do_nothing()
            .returning(drifts.c.sku)
        )
        return (await self._session.execute(statement)).scalar_one_or_none() is not None

    async def between(self, start: datetime, end: datetime) -> list[Drift]:
        query = (
            select(drifts)
            .where(drifts.c.as_of >= start, drifts.c.as_of < end)
            .order_by(drifts.c.as_of, drifts.c.node, drifts.c.sku, drifts.c.source)
        )
        return [to_drift(row) for row in (await self._session.execute(query)).all()]


class PostgresSafetyStockChanges:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, change: SafetyStockChange) -> None:
        await self._session.execute(insert(safety_stock_changes).values(msgspec.structs.asdict(change)))

    async def of_position(self, key: PositionKey) -> list[SafetyStockChange]:
        query = (
            select(*(safety_stock_changes.c[name] for name in SafetyStockChange.__struct_fields__))
            .where(safety_stock_changes.c.sku == key.sku, safety_stock_changes.c.node == key.node)
            .order_by(safety_stock_changes.c.seq)
        )
        rows = (await self._session.execute(query)).all()
        return [SafetyStockChange(**row._asdict()) for row in rows]
