"""Settlement lines against tender-clearing entries on the real database: the set-based engine."""

from __future__ import annotations

from datetime import UTC, date, datetime

from recon_builders import adyen_file, adyen_payout_row, adyen_row, camt053, card_sale_entry
from recon_harness import harness

AS_OF = datetime(2026, 3, 20, tzinfo=UTC)


async def test_reference_then_amount_date_matching_with_typed_exceptions(database_url: str) -> None:
    async with harness(database_url) as h:
        await h.post(
            card_sale_entry("P1", 1000),
            card_sale_entry("P2", 2500),
            card_sale_entry("P3", 1050),
            card_sale_entry("P4", 700),  # never settled
            card_sale_entry("LEDGER-REF-5", 4321, day=date(2026, 3, 3)),  # settled under another reference
        )
        content = adyen_file(
            [
                adyen_row("P1", "Settled", "10.00", "9.70", fee="0.30"),
                adyen_row("P2", "Settled", "25.00", "24.50", fee="0.50"),
                adyen_row("P3", "Settled", "10.00", "9.80", fee="0.20"),  # ledger says 10.50
                adyen_row("PSP-5", "Settled", "43.21", "43.00", fee="0.21"),
                adyen_row("PX", "Settled", "9.99", "9.79", fee="0.20"),  # not in the ledger
            ]
        )
        outcome = await h.ingest(content, filename="batch7.csv", legal_entity_id="LE-NL", reconcile=False)
        assert (outcome.status, outcome.line_count, outcome.period_id) == ("taken", 5, "2026-03")
        run = await h.reconciler.run("LE-NL", AS_OF)
        assert (run.reference_matches, run.amount_date_matches) == (3, 1)
        assert await h.exceptions() == [
            ("amount_mismatch", "P3", -50),
            ("missing_in_ledger", "PX", 999),
            ("missing_in_settlement", "P4", 700),
        ]
        matches = await h.rows(
            "SELECT settlement_reference, ledger_reference, rule FROM settlement_matches ORDER BY 1"
        )
        assert [tuple(m) for m in matches] == [
            ("P1", "P1", "reference"),
            ("P2", "P2", "reference"),
            ("P3", "P3", "reference"),
            ("PSP-5", "LEDGER-REF-5", "amount_date"),
        ]
        variances = await h.rows(
            "SELECT kind, amount_minor, line_count FROM recon_variances ORDER BY channel_id"
        )
        assert [tuple(v) for v in variances] == [("processor_fee", 121, 4), ("processor_fee", 20, 1)]

        again = await h.reconciler.run("LE-NL", AS_OF)
        assert (again.reference_matches, again.amount_date_matches, again.variances_posted) == (0, 0, 0)
        assert (again.exceptions_raised, again.exceptions_auto_resolved, again.open_exceptions) == (0, 0, 3)
        events = await h.rows("SELECT subject FROM outbox ORDER BY seq")
        assert sorted({e.subject for e in events}) == [
            "retail.recon.exception_raised.v1",
            "retail.recon.file_ingested.v1",
            "retail.recon.variance_posted.v1",
        ]
        assert len(events) == 1 + 2 + 3


async def test_a_sale_settled_in_another_currency_carries_its_conversion_as_two_variance_legs(
    database_url: str,
) -> None:
    """A USD sale settled in EUR: the fee in EUR, and a currency conversion that takes the USD gross out
    of the USD clearing account and brings what it became (net + fee) into the EUR one."""
    async with harness(database_url) as h:
        await h.post(
            card_sale_entry("P-USD-1", 10000, currency="USD"),
            card_sale_entry("P-USD-2", 5000, currency="USD"),
            card_sale_entry("P-EUR-3", 2000),
        )
        content = adyen_file(
            [
                adyen_row(
                    "P-USD-1", "Settled", "100.00", "89.70", fee="0.30", gross_currency="USD", rate="0.9"
                ),
                adyen_row(
                    "P-USD-2", "Settled", "50.00", "45.80", fee="0.20", gross_currency="USD", rate="0.92"
                ),
                adyen_row("P-EUR-3", "Settled", "20.00", "19.90", fee="0.10"),
            ]
        )
        outcome = await h.ingest(content, filename="batch8.csv", legal_entity_id="LE-NL", reconcile=False)
        assert outcome.status == "taken"
        run = await h.reconciler.run("LE-NL", AS_OF)
        assert (run.reference_matches, run.amount_date_matches) == (3, 0)
        assert await h.exceptions() == []
        variances = await h.rows(
            "SELECT kind, currency, amount_minor, line_count FROM recon_variances ORDER BY kind, currency"
        )
        assert [tuple(v) for v in variances] == [
            ("currency_conversion", "EUR", -(8970 + 30 + 4580 + 20), 2),
            ("currency_conversion", "USD", 10000 + 5000, 2),
            ("processor_fee", "EUR", 30 + 20 + 10, 3),
        ]
        again = await h.reconciler.run("LE-NL", AS_OF)
        assert again.variances_posted == 0


async def test_a_sale_not_settled_is_a_timing_difference_until_its_window_closes(database_url: str) -> None:
    async with harness(database_url, settlement_window_days=5) as h:
        await h.post(card_sale_entry("P9", 1200, day=date(2026, 3, 2)))
        inside = await h.reconciler.run("LE-NL", datetime(2026, 3, 7, tzinfo=UTC))
        assert (inside.exceptions_raised, await h.exceptions()) == (0, [])
        report = await h.queries.close_readiness(
            "LE-NL", "2026-03", datetime(2026, 3, 7, tzinfo=UTC), h.tolerances
        )
        assert (report["timing_differences"], report["open_exceptions"], report["ready"]) == (1, 0, False)
        closed = await h.reconciler.run("LE-NL", datetime(2026, 3, 8, tzinfo=UTC))
        assert closed.exceptions_raised == 1
        assert await h.exceptions() == [("missing_in_settlement", "P9", 1200)]


async def test_a_missing_sale_that_arrives_later_clears_its_exception(database_url: str) -> None:
    async with harness(database_url) as h:
        await h.ingest(
            adyen_file([adyen_row("P7", "Settled", "5.00", "4.90", fee="0.10")]),
            filename="a.csv",
            legal_entity_id="LE-NL",
            reconcile=False,
        )
        await h.reconciler.run("LE-NL", AS_OF)
        assert await h.exceptions() == [("missing_in_ledger", "P7", 500)]
        await h.post(card_sale_entry("P7", 500))
        run = await h.reconciler.run("LE-NL", AS_OF)
        assert (run.reference_matches, run.exceptions_auto_resolved, await h.exceptions()) == (1, 1, [])
        audit = await h.rows("SELECT step, action, actor FROM recon_exception_audit ORDER BY step")
        assert [tuple(a) for a in audit] == [(1, "opened", "system"), (2, "auto_resolved", "system")]


async def test_a_reference_settled_in_another_currency_than_the_ledger_posted_is_no_match(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        await h.post(card_sale_entry("P5", 1000, currency="USD"), card_sale_entry("P6", 800))
        await h.ingest(
            adyen_file(
                [
                    adyen_row("P5", "Settled", "10.00", "9.70", fee="0.30"),  # EUR, the ledger says USD
                    adyen_row("P6", "Settled", "8.00", "7.80", fee="0.20"),
                ]
            ),
            filename="b.csv",
            legal_entity_id="LE-NL",
            reconcile=False,
        )
        run = await h.reconciler.run("LE-NL", AS_OF)
        assert (run.reference_matches, run.amount_date_matches) == (1, 0)
        assert await h.exceptions() == [
            ("missing_in_ledger", "P5", 1000),
            ("missing_in_settlement", "P5", 1000),
        ]
        currencies = await h.rows("SELECT currency FROM recon_exceptions ORDER BY exception_type")
        assert [c.currency for c in currencies] == ["EUR", "USD"]


async def test_chargeback_is_an_exception_with_both_sides_as_evidence(database_url: str) -> None:
    async with harness(database_url) as h:
        await h.post(card_sale_entry("P2", 2500))
        content = adyen_file(
            [
                adyen_row("P2", "Settled", "25.00", "24.50", fee="0.50"),
                adyen_row("P2", "Chargeback", "25.00", "27.00", fee="2.00", debit=True, modification="CB-1"),
            ]
        )
        await h.ingest(content, filename="cb.csv", legal_entity_id="LE-NL", reconcile=False)
        await h.reconciler.run("LE-NL", AS_OF)
        assert await h.exceptions() == [("chargeback", "P2", 2500)]
        [row] = await h.rows("SELECT exception_id FROM recon_exceptions")
        view = await h.queries.exception(row.exception_id, AS_OF)
        assert view is not None
        assert [line["record_type"] for line in view.evidence["settlement"]] == ["chargeback"]
        assert [line["amount_minor"] for line in view.evidence["ledger"]] == [2500]


async def test_payouts_tie_to_bank_receipts_one_to_many_and_many_to_one(database_url: str) -> None:
    async with harness(database_url) as h:
        settlement = adyen_file(
            [
                adyen_payout_row("100.00", "TXSPLIT01", batch="1"),  # arrives in two receipts
                adyen_payout_row("30.00", "TXA0000001", batch="2", created="2026-03-04 23:00:00"),
                adyen_payout_row(
                    "20.00", "TXB0000002", batch="3", created="2026-03-04 23:00:00"
                ),  # with batch 2: one receipt
            ]
        )
        await h.ingest(settlement, filename="payouts.csv", legal_entity_id="LE-NL", reconcile=False)
        bank = camt053(
            [
                ("60.00", "2026-03-04", "ADYEN TXSPLIT01 part 1"),
                ("40.00", "2026-03-04", "ADYEN TXSPLIT01 part 2"),
                ("50.00", "2026-03-05", "ADYEN BV settlement"),
                ("75.00", "2026-03-05", "unrelated customer transfer"),
            ]
        )
        outcome = await h.ingest(bank, filename="stmt.xml", legal_entity_id="LE-NL", reconcile=False)
        assert (outcome.kind, outcome.line_count) == ("bank", 4)
        run = await h.reconciler.run("LE-NL", AS_OF)
        assert run.payout_links == 4
        links = await h.rows(
            "SELECT payout_line, bank_line, rule, shape FROM payout_links ORDER BY payout_line, bank_line"
        )
        shapes = [(link.rule, link.shape) for link in links]
        assert shapes == [("reference", "one_to_many")] * 2 + [("amount", "many_to_one")] * 2
        assert await h.exceptions() == []


async def test_a_payout_missing_from_the_bank_is_an_exception_after_its_window(database_url: str) -> None:
    async with harness(database_url, payout_window_days=3) as h:
        await h.ingest(
            adyen_file([adyen_payout_row("12.34", "TXLOST0001")]),
            filename="p.csv",
            legal_entity_id="LE-NL",
            reconcile=False,
        )
        assert (await h.reconciler.run("LE-NL", datetime(2026, 3, 6, tzinfo=UTC))).exceptions_raised == 0
        await h.reconciler.run("LE-NL", datetime(2026, 3, 7, tzinfo=UTC))
        assert await h.exceptions() == [("payout_not_in_bank", "TXLOST0001", 1234)]


async def test_a_payout_that_is_not_its_batch_net_is_an_exception_with_evidence(database_url: str) -> None:
    async with harness(database_url) as h:
        await h.post(
            *(card_sale_entry(ref, minor) for ref, minor in [("P1", 1000), ("P2", 2500), ("P3", 500)])
        )
        content = adyen_file(
            [
                adyen_row("P1", "Settled", "10.00", "9.70", fee="0.30", batch="1"),
                adyen_row("P2", "Settled", "25.00", "24.50", fee="0.50", batch="1"),
                adyen_payout_row("34.20", "TXGOOD0001", batch="1"),  # 9.70 + 24.50: ties
                adyen_row("P3", "Settled", "5.00", "4.90", fee="0.10", batch="2"),
                adyen_row("P3", "Refunded", "1.00", "1.00", batch="2", modification="RF-3", debit=True),
                adyen_payout_row("4.00", "TXSHORT002", batch="2"),  # 4.90 - 1.00 = 3.90 net: 0.10 too much
            ]
        )
        await h.ingest(content, filename="batches.csv", legal_entity_id="LE-NL", reconcile=False)
        await h.reconciler.run("LE-NL", datetime(2026, 3, 4, tzinfo=UTC))  # payouts still inside their window
        assert await h.exceptions() == [("payout_batch_mismatch", "TXSHORT002", 10)]
        [row] = await h.rows("SELECT evidence FROM recon_exceptions")
        evidence = row.evidence
        assert (evidence["payout_minor"], evidence["batch_net_minor"], evidence["batch_lines"]) == (
            400,
            390,
            2,
        )
        assert evidence["batch_by_record_type"] == {
            "payment": {"net_minor": 490, "lines": 1},
            "refund": {"net_minor": -100, "lines": 1},
        }
        assert [line["line_number"] for line in evidence["settlement"]] == [7]
        again = await h.reconciler.run("LE-NL", datetime(2026, 3, 4, tzinfo=UTC))
        assert (again.exceptions_raised, again.open_exceptions) == (0, 1)


async def test_settlement_evidence_shows_the_providers_fields_from_plain_and_quoted_files(
    database_url: str,
) -> None:
    async with harness(database_url) as h:
        plain = adyen_file([adyen_row("PX1", "Settled", "9.99", "9.79", fee="0.20", batch="1")])
        quoted = adyen_file(
            [
                adyen_row("PX2", "Settled", "5.00", "4.90", fee="0.10", batch="2").replace(
                    ",visa,", ',"vi,sa",', 1
                )
            ]
        )
        for name, content in (("plain.csv", plain), ("quoted.csv", quoted)):
            outcome = await h.ingest(content, filename=name, legal_entity_id="LE-NL", reconcile=False)
            assert outcome.status == "taken"
        lines = await h.rows(
            "SELECT processor_reference, raw IS NULL AS by_line FROM settlement_lines ORDER BY 1"
        )
        assert [tuple(line) for line in lines] == [("PX1", True), ("PX2", False)]
        await h.reconciler.run("LE-NL", AS_OF)
        assert await h.exceptions() == [("missing_in_ledger", "PX1", 999), ("missing_in_ledger", "PX2", 500)]
        rows = await h.rows("SELECT reference, evidence FROM recon_exceptions ORDER BY reference")
        raws = {row.reference: row.evidence["settlement"][0]["raw"] for row in rows}
        assert (raws["PX1"]["Psp Reference"], raws["PX1"]["Payment Method"], raws["PX1"]["Batch Number"]) == (
            "PX1", "visa", "1",
        )  # fmt: skip
        assert (raws["PX2"]["Psp Reference"], raws["PX2"]["Payment Method"]) == ("PX2", "vi,sa")
        assert len(raws["PX1"]) == len(raws["PX2"]) == 30
