"""The processors' and the marketplace's files for the trading day (pure, bytes as the providers write them).

Adyen settlement details report per merchant account (US in USD, NL in EUR): every card capture and
refund of the day with its fees and the batch's MerchantPayout, except the US captures of the last few
card sales, which fall into the next batch (a timing gap). The US batch also carries a chargeback on a
web order and a capture the ledger never received (a till that lost a transaction). The Amazon V2 flat
file: principal, promotion, tax and commission per order, refunds, and the settlement total.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from retail_sync_cli.demo.day import Order, TradingDay

ADYEN_COLUMNS = [
    "Company Account",
    "Merchant Account",
    "Psp Reference",
    "Merchant Reference",
    "Payment Method",
    "Creation Date",
    "TimeZone",
    "Type",
    "Modification Reference",
    "Gross Currency",
    "Gross Debit (GC)",
    "Gross Credit (GC)",
    "Exchange Rate",
    "Net Currency",
    "Net Debit (NC)",
    "Net Credit (NC)",
    "Commission (NC)",
    "Markup (NC)",
    "Scheme Fees (NC)",
    "Interchange (NC)",
    "Payment Method Variant",
    "Modification Merchant Reference",
    "Batch Number",
    "Reserved4",
    "Reserved5",
    "Reserved6",
    "Reserved7",
    "Reserved8",
    "Reserved9",
    "Reserved10",
]
AMAZON_COLUMNS = (
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "sku",
    "quantity-purchased",
)
TIMING_GAP_SALES = 3
CHARGEBACK_FEE_MINOR = 1500
COMMISSION_MINOR = 12
AMAZON_COMMISSION = Decimal("0.12")


@dataclass
class AdyenBatch:
    """One merchant account's batch: its rows and what the demo planted in it."""

    legal_entity_id: str
    currency: str
    batch_number: int
    payout_reference: str
    rows: list[dict[str, str]] = field(default_factory=list)
    net_minor: int = 0
    fees_minor: int = 0
    timing_gap: list[str] = field(default_factory=list)
    chargeback: str | None = None
    missing_in_ledger: str | None = None

    @property
    def payout_minor(self) -> int:
        return self.net_minor


def _amount(minor: int) -> str:
    return f"{Decimal(minor).scaleb(-2):f}"


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def processing_fee(gross_minor: int) -> tuple[int, int, int]:
    """(commission, scheme fee, interchange) Adyen charges on a capture: 0.12 + 0.13 % + 1.45 %."""
    return COMMISSION_MINOR, (gross_minor * 13 + 5000) // 10000, (gross_minor * 145 + 5000) // 10000


def adyen_batch(day: TradingDay, legal_entity_id: str, batch_number: int) -> AdyenBatch:
    currency = "USD" if legal_entity_id == "LE-US" else "EUR"
    batch = AdyenBatch(legal_entity_id, currency, batch_number, f"TX{batch_number:06d}{day.seed % 97:02d}XT")
    cards = sorted(
        (o for o in day.orders if o.tender_kind == "card" and o.legal_entity_id == legal_entity_id),
        key=lambda o: (o.occurred_at, o.document_id),
    )
    returned = {r.order.document_id for r in day.returns}
    if legal_entity_id == "LE-US":
        web = [o for o in cards if o.source == "shopify" and o.document_id not in returned]
        batch.chargeback = web[len(web) // 3].document_id
        late = [o for o in cards if o.document_id not in returned and o.document_id != batch.chargeback]
        batch.timing_gap = [o.document_id for o in late[-TIMING_GAP_SALES:]]
    merchant = f"DemoRetail{legal_entity_id[-2:]}"
    for order in cards:
        if order.document_id in batch.timing_gap:
            continue
        _capture(batch, merchant, order, order.processor_reference or "", order.occurred_at)
    for refund in (r for r in day.returns if r.order in cards):
        _row(
            batch,
            merchant,
            refund.order,
            "Refunded",
            refund.occurred_at,
            gross=-refund.line.paid_minor,
            fees=(0, 0, 0),
            modification=f"{refund.order.processor_reference}R",
        )
    if batch.chargeback is not None:
        order = next(o for o in cards if o.document_id == batch.chargeback)
        _row(
            batch,
            merchant,
            order,
            "Chargeback",
            order.occurred_at + timedelta(hours=20),
            gross=-order.basket.total_minor,
            fees=(CHARGEBACK_FEE_MINOR, 0, 0),
            modification=f"{order.processor_reference}CB",
        )
        lost = Order(
            source="pos",
            channel_id="STORES-US",
            node_id="S-NY-02",
            region="US-NY",
            legal_entity_id="LE-US",
            currency="USD",
            order_id="S-NY-02-LOST",
            document_id="S-NY-02-LOST",
            occurred_at=datetime.combine(day.trading_day, time(15, 7, 41), tzinfo=UTC),
            basket=cards[0].basket,
            tender_kind="card",
            processor_reference=f"{4_100_000_000_000_000 + day.seed}",
            card_brand="visa",
        )
        batch.missing_in_ledger = lost.processor_reference
        fee = processing_fee(2347)
        _row(
            batch,
            merchant,
            lost,
            "Settled",
            lost.occurred_at,
            gross=2347,
            fees=fee,
            modification=batch.missing_in_ledger or "",
        )
    payout_at = datetime.combine(day.trading_day + timedelta(days=1), time(6, 30), tzinfo=UTC)
    batch.rows.append(
        _adyen_row(
            merchant=merchant,
            psp="",
            merchant_reference="",
            method="",
            at=payout_at,
            kind="MerchantPayout",
            modification=f"{batch.payout_reference} batch {batch_number}, {merchant}",
            currency=currency,
            net_debit=_amount(batch.net_minor),
            batch=batch_number,
        )
    )
    return batch


def _capture(batch: AdyenBatch, merchant: str, order: Order, psp: str, at: datetime) -> None:
    gross = order.basket.total_minor
    _row(batch, merchant, order, "Settled", at, gross=gross, fees=processing_fee(gross), modification=psp)


def _row(
    batch: AdyenBatch,
    merchant: str,
    order: Order,
    kind: str,
    at: datetime,
    *,
    gross: int,
    fees: tuple[int, int, int],
    modification: str,
) -> None:
    """A capture (gross > 0) or a debit (refund, chargeback: gross < 0); the fees always cost."""
    fee = sum(fees)
    net = gross - fee
    batch.net_minor += net
    batch.fees_minor += fee
    credit = gross > 0
    batch.rows.append(
        _adyen_row(
            merchant=merchant,
            psp=order.processor_reference or "",
            merchant_reference=order.order_id,
            method=order.card_brand or "visa",
            at=at,
            kind=kind,
            modification=modification,
            currency=batch.currency,
            batch=batch.batch_number,
            gross_credit=_amount(gross) if credit else "",
            gross_debit="" if credit else _amount(-gross),
            net_credit=_amount(net) if net > 0 else "",
            net_debit="" if net > 0 else _amount(-net),
            commission=_amount(fees[0]) if fees[0] else "",
            scheme=_amount(fees[1]) if fees[1] else "",
            interchange=_amount(fees[2]) if fees[2] else "",
        )
    )


def _adyen_row(
    *,
    merchant: str,
    psp: str,
    merchant_reference: str,
    method: str,
    at: datetime,
    kind: str,
    modification: str,
    currency: str,
    batch: int,
    gross_credit: str = "",
    gross_debit: str = "",
    net_credit: str = "",
    net_debit: str = "",
    commission: str = "",
    scheme: str = "",
    interchange: str = "",
) -> dict[str, str]:
    payment = kind != "MerchantPayout"
    return {
        "Company Account": "DemoRetail",
        "Merchant Account": merchant,
        "Psp Reference": psp,
        "Merchant Reference": merchant_reference,
        "Payment Method": method,
        "Creation Date": _stamp(at),
        "TimeZone": "UTC",
        "Type": kind,
        "Modification Reference": modification,
        "Gross Currency": currency,
        "Gross Debit (GC)": gross_debit,
        "Gross Credit (GC)": gross_credit,
        "Exchange Rate": "1" if payment else "",
        "Net Currency": currency,
        "Net Debit (NC)": net_debit,
        "Net Credit (NC)": net_credit,
        "Commission (NC)": commission,
        "Markup (NC)": "",
        "Scheme Fees (NC)": scheme,
        "Interchange (NC)": interchange,
        "Payment Method Variant": method,
        "Modification Merchant Reference": "",
        "Batch Number": str(batch),
    }


def adyen_csv(batch: AdyenBatch) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ADYEN_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(batch.rows)
    return out.getvalue().encode("utf-8")


@dataclass
class AmazonSettlement:
    settlement_id: str
    deposit_date: date
    total_minor: int
    commission_minor: int
    content: bytes


def amazon_flat_file(day: TradingDay) -> AmazonSettlement:
    settlement_id = f"{12_000_000_000 + day.seed * 7919 % 10**9}"
    start = datetime.combine(day.trading_day, time(0), tzinfo=UTC)
    end = start + timedelta(days=1)
    deposit = day.trading_day + timedelta(days=2)
    rows: list[dict[str, str]] = []
    commission_total = 0

    def add(kind: str, order: Order, amount_type: str, description: str, minor: int, sku: str = "") -> None:
        rows.append(
            {
                "transaction-type": kind,
                "order-id": order.order_id,
                "merchant-order-id": order.order_id,
                "marketplace-name": "Amazon.com",
                "amount-type": amount_type,
                "amount-description": description,
                "amount": _amount(minor),
                "fulfillment-id": "MFN",
                "posted-date": day.trading_day.isoformat(),
                "sku": sku,
            }
        )

    amazon = [o for o in day.orders if o.source == "amazon"]
    for order in amazon:
        for line in order.basket.lines:
            add("Order", order, "ItemPrice", "Principal", line.gross_minor, line.item.sku)
            if line.discount_minor:
                add("Order", order, "Promotion", "Principal", -line.discount_minor, line.item.sku)
            if line.tax_minor:
                add("Order", order, "ItemPrice", "Tax", line.tax_minor, line.item.sku)
            commission = int(
                (Decimal(line.gross_minor - line.discount_minor) * AMAZON_COMMISSION).to_integral_value()
            )
            commission_total += commission
            add("Order", order, "ItemFees", "Commission", -commission, line.item.sku)
    for refund in (r for r in day.returns if r.order.source == "amazon"):
        line = refund.line
        add(
            "Refund",
            refund.order,
            "ItemPrice",
            "Principal",
            -(line.gross_minor - line.discount_minor),
            line.item.sku,
        )
        if line.tax_minor:
            add("Refund", refund.order, "ItemPrice", "Tax", -line.tax_minor, line.item.sku)
    total = sum(int(Decimal(row["amount"]).scaleb(2)) for row in rows)
    summary = {
        "settlement-id": settlement_id,
        "settlement-start-date": start.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "settlement-end-date": end.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "deposit-date": datetime.combine(deposit, time(8), tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "total-amount": _amount(total),
        "currency": "USD",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AMAZON_COLUMNS, restval="", delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerow(summary)
    for row in rows:
        writer.writerow(row | {"settlement-id": settlement_id})
    return AmazonSettlement(settlement_id, deposit, total, commission_total, out.getvalue().encode("utf-8"))
