"""Loads a batch's PostingReference from the master replica, posting rules and promotion versions.

Two round-trips per batch on the session's own asyncpg connection (same transaction): the master
records the batch names (legal entities, their calendars, items, nodes, item costs) in one UNION ALL,
then the posting rules, GL accounts and promotion versions of the charts those entities use.
"""

from __future__ import annotations

from typing import Any

import msgspec
from canon.master_data import MASTER_RECORD_TYPES, FiscalCalendar, GlAccount
from sqlalchemy.ext.asyncio import AsyncSession

from order_ledger.adapters.postgres.repositories import raw_connection
from order_ledger.application.ports import ReferenceNeeds
from order_ledger.domain.promotion_terms import PromotionTerms
from order_ledger.domain.reference import DEFAULT_CHART, PostingReference
from order_ledger.domain.rules import decode_rules

_MASTER = """
SELECT record_type, content::text FROM master_replica
WHERE record_type = 'legal_entity' AND key = ANY($1::text[])
UNION ALL
SELECT record_type, content::text FROM master_replica
WHERE record_type = 'fiscal_calendar' AND content->>'legal_entity_id' = ANY($1::text[])
UNION ALL
SELECT record_type, content::text FROM master_replica WHERE record_type = 'item' AND key = ANY($2::text[])
UNION ALL
SELECT record_type, content::text FROM master_replica WHERE record_type = 'node' AND key = ANY($3::text[])
UNION ALL
SELECT record_type, content::text FROM master_replica
WHERE record_type = 'item_cost' AND key = ANY($4::text[])
"""
_CHARTS = """
SELECT 'rules', content::text FROM posting_rules WHERE chart_id = ANY($1::text[])
UNION ALL
SELECT 'gl_account', content::text FROM master_replica
WHERE record_type = 'gl_account' AND content->>'chart_id' = ANY($1::text[])
UNION ALL
SELECT 'promotion', v.terms::text FROM promotion_versions v
JOIN unnest($2::text[], $3::int[]) AS k(p, n) ON v.promotion_id = k.p AND v.version = k.n
"""
_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    name: msgspec.json.Decoder(kind) for name, kind in MASTER_RECORD_TYPES.items()
}
_GL_ACCOUNT = msgspec.json.Decoder(GlAccount)
_TERMS = msgspec.json.Decoder(PromotionTerms)


class PostgresReference:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, needs: ReferenceNeeds) -> PostingReference:
        ref = PostingReference()
        connection = await raw_connection(self._session)
        found: dict[str, list[Any]] = {}
        for record_type, content in await connection.fetch(
            _MASTER,
            list(needs.legal_entities),
            list(needs.skus),
            list(needs.nodes),
            [f"{sku}:{le}" for sku, le in needs.item_costs],
        ):
            found.setdefault(record_type, []).append(_DECODERS[record_type].decode(content))
        ref.legal_entities = {e.legal_entity_id: e for e in found.get("legal_entity", [])}
        calendars: list[FiscalCalendar] = found.get("fiscal_calendar", [])
        for calendar in calendars:
            ref.calendars.setdefault(calendar.legal_entity_id, []).append(calendar)
        ref.items = {i.sku: i for i in found.get("item", [])}
        ref.nodes = {n.node_id: n for n in found.get("node", [])}
        ref.item_costs = {(c.sku, c.legal_entity_id): c.unit_cost for c in found.get("item_cost", [])}
        charts = {ref.chart_of(le) for le in needs.legal_entities} | {DEFAULT_CHART}
        promotions = list(needs.promotions)
        for kind, content in await connection.fetch(
            _CHARTS, list(charts), [p for p, _ in promotions], [v for _, v in promotions]
        ):
            if kind == "rules":
                rules = decode_rules(content.encode())
                ref.rules_by_chart[rules.chart_id] = rules
            elif kind == "gl_account":
                account = _GL_ACCOUNT.decode(content)
                ref.gl_accounts.setdefault(account.chart_id, set()).add(account.account_number)
            else:
                terms = _TERMS.decode(content)
                ref.promotions[terms.key] = terms
        return ref
