"""PostgreSQL adapter of the Promotions port: versions are inserted once, then only their status moves."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from promotion.adapters.postgres.tables import coupon_codes, promotion_audit, promotion_versions, promotions
from promotion.application.errors import DuplicatePromotion
from promotion.application.use_cases.schedule import closes_at, opens_at
from promotion.domain.audit import AuditEntry
from promotion.domain.lifecycle import VersionRecord
from promotion.domain.promotion import Promotion
from promotion.domain.version import PromotionVersion

_VERSION = msgspec.json.Decoder(PromotionVersion)


def _record(row: Any) -> VersionRecord:
    return VersionRecord(
        content=msgspec.convert(row.content, PromotionVersion, strict=False),
        status=row.status,
        author=row.author,
        approved_by=row.approved_by,
        status_before_superseded=row.status_before_superseded,
    )


class PostgresPromotions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._loaded: dict[str, tuple[dict[int, VersionRecord], int]] = {}

    async def get(self, promotion_id: str, *, lock: bool = True) -> Promotion | None:
        """``lock=False`` for reads: the answer may be stale by the time it is used."""
        query = select(promotions.c.promotion_id).where(promotions.c.promotion_id == promotion_id)
        locked = await self._session.execute(query.with_for_update() if lock else query)
        if locked.first() is None:
            return None
        rows = (
            await self._session.execute(
                select(promotion_versions).where(promotion_versions.c.promotion_id == promotion_id)
            )
        ).all()
        audit_rows = (
            await self._session.execute(
                select(promotion_audit)
                .where(promotion_audit.c.promotion_id == promotion_id)
                .order_by(promotion_audit.c.seq)
            )
        ).all()
        records = [_record(row) for row in rows]
        audit = [
            AuditEntry(
                promotion_id=a.promotion_id,
                version=a.version,
                action=a.action,
                from_status=a.from_status,
                to_status=a.to_status,
                by=a.by,
                at=a.at,
                why=a.why,
            )
            for a in audit_rows
        ]
        self._loaded[promotion_id] = ({r.version: r for r in records}, len(audit))
        return Promotion(promotion_id, records, audit)

    async def add(self, promotion: Promotion) -> None:
        inserted = await self._session.execute(
            insert(promotions)
            .values(promotion_id=promotion.promotion_id, created_at=promotion.audit[0].at)
            .on_conflict_do_nothing()
            .returning(promotions.c.promotion_id)
        )
        if inserted.first() is None:
            raise DuplicatePromotion(promotion.promotion_id)
        self._loaded[promotion.promotion_id] = ({}, 0)
        await self.save(promotion)

    async def save(self, promotion: Promotion) -> None:
        before, audited = self._loaded[promotion.promotion_id]
        for record in promotion.records:
            earlier = before.get(record.version)
            if earlier is None:
                await self._insert_version(record)
            elif earlier != record:
                await self._session.execute(
                    update(promotion_versions)
                    .where(
                        promotion_versions.c.promotion_id == promotion.promotion_id,
                        promotion_versions.c.version == record.version,
                    )
                    .values(
                        status=record.status,
                        approved_by=record.approved_by,
                        status_before_superseded=record.status_before_superseded,
                    )
                )
        new_entries = promotion.audit[audited:]
        if new_entries:
            await self._session.execute(
                promotion_audit.insert(),
                [msgspec.to_builtins(e, builtin_types=(datetime,)) for e in new_entries],
            )
        self._loaded[promotion.promotion_id] = (
            {r.version: r for r in promotion.records},
            len(promotion.audit),
        )

    async def _insert_version(self, record: VersionRecord) -> None:
        content = record.content
        await self._session.execute(
            promotion_versions.insert().values(
                promotion_id=content.promotion_id,
                version=content.version,
                content=msgspec.to_builtins(content, order="sorted"),
                status=record.status,
                author=record.author,
                approved_by=record.approved_by,
                status_before_superseded=record.status_before_superseded,
                opens_at=opens_at(content.window),
                closes_at=closes_at(content.window),
            )
        )
        if content.coupon is not None:
            await self._session.execute(
                insert(coupon_codes)
                .values(
                    [
                        {"code": code, "promotion_id": content.promotion_id}
                        for code in sorted(content.coupon.codes)
                    ]
                )
                .on_conflict_do_nothing()
            )

    async def code_owners(self, codes: Collection[str]) -> dict[str, str]:
        if not codes:
            return {}
        rows = (
            await self._session.execute(select(coupon_codes).where(coupon_codes.c.code.in_(list(codes))))
        ).all()
        return {row.code: row.promotion_id for row in rows}

    async def due_for_schedule(self, now: datetime) -> list[str]:
        v = promotion_versions.c
        query = (
            select(v.promotion_id)
            .where(
                or_(
                    (v.status == "scheduled") & (v.opens_at <= now),
                    (v.status == "active") & (v.closes_at <= now),
                )
            )
            .distinct()
            .order_by(v.promotion_id)
        )
        return list((await self._session.execute(query)).scalars())
