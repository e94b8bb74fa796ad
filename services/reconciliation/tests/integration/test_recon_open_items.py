"""A run reads the new files and the open settlement items, not the whole history (migration 0006), and
the match keys lead with the reference (migration 0005)."""

from __future__ import annotations

from datetime import UTC, datetime

from recon_builders import adyen_file, adyen_row, card_sale_entry
from recon_harness import Harness, harness
from sqlalchemy import text

AS_OF = datetime(2026, 3, 20, tzinfo=UTC)


async def execute(h: Harness, sql: str) -> None:
    async with h.sessions() as session, session.begin():
        await session.execute(text(sql))


async def test_a_run_reads_the_new_files_and_the_open_items_and_an_entity_without_them_reads_everything(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        await h.post(card_sale_entry("P1", 1000), card_sale_entry("P2", 2500))
        first = adyen_file(
            [
                adyen_row("P1", "Settled", "10.00", "9.70", fee="0.30"),
                adyen_row("PX", "Settled", "9.99", "9.79", fee="0.20"),  # not in the ledger yet
            ]
        )
        await h.ingest(first, filename="a.csv", legal_entity_id="LE-NL", reconcile=False)
        run = await h.reconciler.run("LE-NL", AS_OF)
        assert run.reference_matches == 1
        assert await h.exceptions() == [
            ("missing_in_ledger", "PX", 999),
            ("missing_in_settlement", "P2", 2500),
        ]
        open_items = "SELECT reference FROM recon_open_settlement ORDER BY 1"
        assert [r.reference for r in await h.rows(open_items)] == ["PX"]

        # A line of a file an earlier run took was read by that run, so it was matched or is an open
        # item: a later run does not read it again. (This one was planted behind the runs' back, as
        # nothing but taking a file writes settlement lines.)
        await execute(
            h,
            """INSERT INTO settlement_lines (file_id, line_number, legal_entity_id, period_id, channel_id,
                   processor, report_id, record_type, raw_type, processor_reference, booked_at,
                   business_date, currency, gross_minor, net_currency, net_minor, fee_minor, direction)
               SELECT file_id, 100, legal_entity_id, period_id, channel_id, processor, report_id,
                      record_type, raw_type, 'P-HISTORY', booked_at, business_date, currency, gross_minor,
                      net_currency, net_minor, fee_minor, direction
                 FROM settlement_lines WHERE processor_reference = 'P1'""",
        )
        # The open settlement line finds its late ledger entry, the open ledger entry its late settlement.
        await h.post(card_sale_entry("PX", 999))
        second = adyen_file([adyen_row("P2", "Settled", "25.00", "24.50", fee="0.50", batch="8")])
        await h.ingest(second, filename="b.csv", legal_entity_id="LE-NL", reconcile=False)
        run = await h.reconciler.run("LE-NL", AS_OF)
        assert (run.reference_matches, run.exceptions_auto_resolved, run.exceptions_raised) == (2, 2, 0)
        assert (await h.exceptions(), await h.rows(open_items)) == ([], [])

        # Without its state the entity is read whole once more, history included.
        await execute(h, "DELETE FROM recon_match_state")
        run = await h.reconciler.run("LE-NL", AS_OF)
        assert (run.reference_matches, run.exceptions_raised) == (0, 1)
        assert await h.exceptions() == [("missing_in_ledger", "P-HISTORY", 1000)]
        assert [r.reference for r in await h.rows(open_items)] == ["P-HISTORY"]


async def test_the_match_keys_lead_with_the_reference(database_url: str) -> None:
    async with harness(database_url) as h:
        keys = await h.rows(
            """SELECT i.indexrelid::regclass::text AS name,
                      array_agg(a.attname ORDER BY k.n) AS columns
                 FROM pg_index i
                 CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k (attnum, n)
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = 'settlement_matches'::regclass AND i.indisunique
                GROUP BY 1 ORDER BY 1"""
        )
        assert [(k.name, k.columns) for k in keys] == [
            ("settlement_matches_pkey", ["settlement_reference", "processor", "direction"]),
            ("uq_settlement_matches_ledger", ["ledger_reference", "processor", "direction"]),
        ]
