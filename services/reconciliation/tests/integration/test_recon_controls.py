"""Controls 1, 3 and 4 on the real database: completeness, returns correlation, marketplace rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

from canon.inventory import ReturnDisposed
from recon_builders import card_sale_entry, sale_transaction
from recon_harness import harness

AS_OF = datetime(2026, 3, 20, tzinfo=UTC)


async def test_completeness_compares_discount_and_tax_per_transaction(database_url: str) -> None:
    async with harness(database_url) as h:
        await h.record(
            sale_transaction("C1", 1210, tax_minor=210, discount_minor=100),  # posted exactly
            sale_transaction("C2", 1210, tax_minor=210, discount_minor=100),  # posted with the wrong tax
            sale_transaction("C3", 500, tax_minor=0, discount_minor=50),  # posted without its discount
            sale_transaction("C4", 800, tax_minor=0, discount_minor=0),  # never posted
        )
        await h.post(
            card_sale_entry("C1", 1210, tax_minor=210, discount_minor=100),
            card_sale_entry("C2", 1210, tax_minor=200, discount_minor=100),
            card_sale_entry("C3", 500),
        )
        await h.reconciler.run("LE-NL", AS_OF)
        rows = await h.rows(
            "SELECT exception_type, reference, amount_minor FROM recon_exceptions"
            " WHERE control = 'sales_completeness' ORDER BY reference"
        )
        assert [tuple(r) for r in rows] == [
            ("tax_mismatch", "DOC-C2", -10),
            ("discount_mismatch", "DOC-C3", -50),
            ("not_posted", "DOC-C4", 800),
        ]


async def test_returns_correlate_refunds_and_dispositions_both_ways(database_url: str) -> None:
    async with harness(database_url, returns_window_days=7) as h:
        day = date(2026, 3, 2)
        await h.record(
            sale_transaction(
                "R1", 300, tax_minor=0, discount_minor=0, kind="return", order_id="ORD-1", day=day
            ),
            sale_transaction(
                "R2", 400, tax_minor=0, discount_minor=0, kind="return", order_id="ORD-2", day=day
            ),
        )
        at = datetime(2026, 3, 3, 12, tzinfo=UTC)
        await h.dispose(
            ReturnDisposed(
                movement_id="M1",
                sku="SKU-1",
                node="STORE-1",
                qty=1,
                disposition="sellable",
                occurred_at=at,
                order_id="ORD-1",
            ),
            ReturnDisposed(
                movement_id="M3",
                sku="SKU-9",
                node="STORE-1",
                qty=1,
                disposition="quarantine",
                occurred_at=at,
                order_id="ORD-3",
            ),
        )
        await h.post(card_sale_entry("R0", 100, document="DOC-ORD3", entity="LE-NL"))
        await h.record(sale_transaction("S3", 900, tax_minor=0, discount_minor=0, order_id="ORD-3", day=day))
        inside = await h.reconciler.run("LE-NL", datetime(2026, 3, 8, tzinfo=UTC))
        assert [e for e in await h.exceptions() if e[0].endswith(("disposition", "refund"))] == []
        assert inside.open_exceptions >= 0
        await h.reconciler.run("LE-NL", AS_OF)
        found = [e for e in await h.exceptions() if e[0].endswith(("disposition", "refund"))]
        assert found == [
            ("disposition_without_refund", "ORD-3", None),
            ("refund_without_disposition", "ORD-2", 400),
        ]


async def test_marketplace_commission_above_its_rate_is_an_exception_and_commission_a_variance(
    database_url: str,
) -> None:
    header = (
        "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t"
        "transaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\t"
        "amount-type\tamount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\t"
        "order-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\tpromotion-id"
    )

    def row(*cells: str) -> str:
        values = dict(zip(header.split("\t"), [""] * 24, strict=True))
        keys = ["transaction-type", "order-id", "amount-type", "amount-description", "amount", "posted-date"]
        values.update(dict(zip(keys, cells, strict=True)))
        return "\t".join(values.values())

    summary = dict(zip(header.split("\t"), [""] * 24, strict=True)) | {
        "settlement-id": "AMZ-1",
        "settlement-start-date": "2026-03-01T00:00:00+00:00",
        "settlement-end-date": "2026-03-07T00:00:00+00:00",
        "total-amount": "165.00",
        "currency": "EUR",
    }
    lines = [
        header,
        "\t".join(summary.values()),
        row("Order", "AO-1", "ItemPrice", "Principal", "100.00", "2026-03-02"),
        row("Order", "AO-1", "ItemFees", "Commission", "-15.00", "2026-03-02"),  # 15%: allowed
        row("Order", "AO-2", "ItemPrice", "Principal", "100.00", "2026-03-02"),
        row("Order", "AO-2", "ItemFees", "Commission", "-20.00", "2026-03-02"),  # 20%: above the rule
    ]
    async with harness(database_url) as h:
        outcome = await h.ingest(
            ("\n".join(lines) + "\n").encode(),
            filename="amz.txt",
            legal_entity_id="LE-NL",
            channel_id="AMAZON-DE",
            reconcile=False,
        )
        assert outcome.status == "taken", outcome.problems
        await h.reconciler.run("LE-NL", AS_OF)
        found = await h.rows(
            "SELECT exception_type, reference, amount_minor FROM recon_exceptions"
            " WHERE control = 'marketplace_revenue'"
        )
        assert [tuple(r) for r in found] == [("commission_above_rate", "AO-2", 500)]
        variances = await h.rows("SELECT kind, amount_minor, channel_id FROM recon_variances")
        assert [tuple(v) for v in variances] == [("marketplace_commission", 3500, "AMAZON-DE")]
