"""Loads a batch's PostingReference from the master replica, posting rules and promotion versions."""

from __future__ import annotations

from typing import Any

import msgspec
from canon.master_data import MASTER_RECORD_TYPES, FiscalCalendar
from master_replica import master_replica
from sqlalchemy import Text, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from order_ledger.adapters.postgres.tables import posting_rules, promotion_versions
from order_ledger.application.ports import ReferenceNeeds
from order_ledger.domain.promotion_terms import PromotionTerms
from order_ledger.domain.reference import DEFAULT_CHART, PostingReference
from order_ledger.domain.rules import decode_rules

_CONTENT = master_replica.c.content


class PostgresReference:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _records(self, record_type: str, condition: Any) -> list[Any]:
        query = select(_CONTENT.cast(Text).label("content_json")).where(
            master_replica.c.record_type == record_type, condition
        )
        rows = (await self._session.execute(query)).scalars().all()
        decoder = msgspec.json.Decoder(MASTER_RECORD_TYPES[record_type])
        return [decoder.decode(row) for row in rows]

    async def load(self, needs: ReferenceNeeds) -> PostingReference:
        ref = PostingReference()
        keys = master_replica.c.key
        if needs.legal_entities:
            entities = await self._records("legal_entity", keys.in_(list(needs.legal_entities)))
            ref.legal_entities = {e.legal_entity_id: e for e in entities}
            calendars: list[FiscalCalendar] = await self._records(
                "fiscal_calendar", _CONTENT["legal_entity_id"].astext.in_(list(needs.legal_entities))
            )
            for calendar in calendars:
                ref.calendars.setdefault(calendar.legal_entity_id, []).append(calendar)
        if needs.skus:
            ref.items = {i.sku: i for i in await self._records("item", keys.in_(list(needs.skus)))}
        if needs.nodes:
            ref.nodes = {n.node_id: n for n in await self._records("node", keys.in_(list(needs.nodes)))}
        if needs.item_costs:
            wanted = [f"{sku}:{le}" for sku, le in needs.item_costs]
            costs = await self._records("item_cost", keys.in_(wanted))
            ref.item_costs = {(c.sku, c.legal_entity_id): c.unit_cost for c in costs}
        charts = {ref.chart_of(le) for le in needs.legal_entities} | {DEFAULT_CHART}
        rows = (
            await self._session.execute(
                select(posting_rules.c.content).where(posting_rules.c.chart_id.in_(charts))
            )
        ).scalars()
        ref.rules_by_chart = {rules.chart_id: rules for rules in (decode_rules(row) for row in rows)}
        accounts = await self._records("gl_account", _CONTENT["chart_id"].astext.in_(list(charts)))
        for account in accounts:
            ref.gl_accounts.setdefault(account.chart_id, set()).add(account.account_number)
        if needs.promotions:
            columns = tuple_(promotion_versions.c.promotion_id, promotion_versions.c.version)
            query = select(promotion_versions.c.terms).where(columns.in_(list(needs.promotions)))
            terms = [
                msgspec.convert(row, PromotionTerms) for row in (await self._session.execute(query)).scalars()
            ]
            ref.promotions = {t.key: t for t in terms}
        return ref
