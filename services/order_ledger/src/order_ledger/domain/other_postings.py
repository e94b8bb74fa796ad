"""Entries that do not come from a sales transaction: cost of goods sold on a shipment, and the
settlement variances reconciliation explains (fees, FX, commission, chargebacks, reserves)."""

from __future__ import annotations

from datetime import date, datetime

from canon.ids import deterministic_id
from canon.inventory import ReturnDisposed, Shipped
from canon.ledger import JournalEntry, Side
from canon.money import Money
from canon.recon import VariancePosted

from order_ledger.domain.errors import PostingError
from order_ledger.domain.journal import EntryLines, Posting
from order_ledger.domain.periods import PeriodChoice
from order_ledger.domain.rules import PostingRules


def _node_dimensions(rules: PostingRules, legal_entity_id: str, node: str) -> tuple[tuple[str, str], ...]:
    dims = [("legal_entity", legal_entity_id), ("node", node)]
    if (cost_center := rules.cost_center(node)) is not None:
        dims.append(("cost_center", cost_center))
    return tuple(dims)


def _inventory_cost_entry(
    kind: str,
    *,
    movement_id: str,
    order_id: str | None,
    node: str,
    legal_entity_id: str,
    lines: EntryLines,
    sku: str,
    business_date: date,
    period: PeriodChoice,
    posted_at: datetime,
    channel_id: str | None,
    flags: set[str],
) -> JournalEntry:
    """A cost entry caused by an inventory movement (shipment, return disposition), id'd by the movement."""
    journal_lines = lines.lines()
    if not journal_lines:
        raise PostingError("unit_cost", f"zero cost for {sku}: nothing to post")
    return JournalEntry(
        entry_id=deterministic_id(f"journal-{kind.replace('_', '-')}", movement_id),
        legal_entity_id=legal_entity_id,
        currency=lines.currency,
        business_date=business_date,
        period_id=period.period_id,
        posted_at=posted_at,
        source_system="inventory",
        document_id=movement_id,
        order_id=order_id,
        transaction_kind=kind,
        channel_id=channel_id,
        node_id=node,
        lines=journal_lines,
        late=period.late,
        flags=sorted({*flags, *period.flags}),
    )


def post_shipment(
    shipped: Shipped,
    *,
    legal_entity_id: str,
    business_date: date,
    unit_cost: Money,
    rules: PostingRules,
    period: PeriodChoice,
    posted_at: datetime,
    channel_id: str | None = None,
    flags: tuple[str, ...] = (),
) -> JournalEntry:
    """Dr cost of goods sold / Cr inventory at quantity x unit cost (event's cost, else master data's)."""
    cost = unit_cost * shipped.qty
    dims = _node_dimensions(rules, legal_entity_id, shipped.node)
    lines = EntryLines(cost.currency)
    memo = f"{shipped.qty} x {shipped.sku} at {unit_cost}"
    for role, side in (("cogs", "debit"), ("inventory", "credit")):
        lines.add(Posting(role, rules.account(role), side, cost.amount_minor, dims, memo=memo))  # type: ignore[arg-type]
    return _inventory_cost_entry(
        "shipment", movement_id=shipped.movement_id, order_id=shipped.order_id, node=shipped.node,
        legal_entity_id=legal_entity_id, lines=lines, sku=shipped.sku, business_date=business_date,
        period=period, posted_at=posted_at, channel_id=channel_id, flags=set(flags),
    )  # fmt: skip


WRITE_OFF_TREATMENT = "return_write_off"
"""Qualifier of the `cogs` account that takes the cost of returned goods written off (shrink)."""


def post_return_disposition(
    disposed: ReturnDisposed,
    *,
    legal_entity_id: str,
    business_date: date,
    unit_cost: Money,
    rules: PostingRules,
    period: PeriodChoice,
    posted_at: datetime,
    channel_id: str | None = None,
    flags: tuple[str, ...] = (),
) -> JournalEntry:
    """The cost side of a return, at the unit cost the original sale's COGS was posted at.

    - `sellable` (back on hand): the goods are inventory again, so COGS is reversed:
      Dr inventory / Cr cost of goods sold;
    - `quarantine` (damaged) or `reverse_logistics` (leaves the node, e.g. back to the vendor or
      disposed of): the sale's COGS is reversed too, but the goods are written off, so the cost moves
      to the write-off account (the `cogs` role qualified `return_write_off` in the chart's rules):
      Dr write-off / Cr cost of goods sold. Inventory is not debited: nothing sellable came back.
    """
    cost = unit_cost * disposed.qty
    dims = _node_dimensions(rules, legal_entity_id, disposed.node)
    lines = EntryLines(cost.currency)
    memo = f"{disposed.qty} x {disposed.sku} returned ({disposed.disposition}) at {unit_cost}"
    if disposed.disposition == "sellable":
        debit_role, debit_account = "inventory", rules.account("inventory")
    else:
        debit_role, debit_account = "cogs", rules.account("cogs", treatment=WRITE_OFF_TREATMENT)
    credit_account = rules.account("cogs")
    entry_flags = {*flags, f"disposition:{disposed.disposition}"}
    if disposed.disposition != "sellable" and debit_account == credit_account:
        entry_flags.add("no_write_off_account")
    lines.add(Posting(debit_role, debit_account, "debit", cost.amount_minor, dims, memo=memo))  # type: ignore[arg-type]
    lines.add(Posting("cogs", credit_account, "credit", cost.amount_minor, dims, memo=memo))
    return _inventory_cost_entry(
        "return_disposition", movement_id=disposed.movement_id, order_id=disposed.order_id,
        node=disposed.node, legal_entity_id=legal_entity_id, lines=lines, sku=disposed.sku,
        business_date=business_date, period=period, posted_at=posted_at, channel_id=channel_id,
        flags=entry_flags,
    )  # fmt: skip


def post_variance(
    variance: VariancePosted, *, rules: PostingRules, period: PeriodChoice, posted_at: datetime
) -> JournalEntry:
    """A cost (positive) debits the variance role and credits the processor's clearing account; a
    gain (negative) the other way round."""
    rule = rules.variance_roles.get(variance.kind) or rules.variance_roles.get("other")
    if rule is None:
        raise PostingError("kind", f"no posting rule for variance kind {variance.kind!r}")
    amount = abs(variance.amount.amount_minor)
    cost_side: Side = "debit" if variance.amount.amount_minor > 0 else "credit"
    clearing_side: Side = "credit" if cost_side == "debit" else "debit"
    dims: tuple[tuple[str, str], ...] = (("legal_entity", variance.legal_entity_id),)
    if variance.channel_id:
        dims += (("channel", variance.channel_id),)
    lines = EntryLines(variance.amount.currency)
    reference = variance.processor_reference
    lines.add(
        Posting(
            rule.role,
            rules.account(rule.role, processor=variance.processor),
            cost_side,
            amount,
            dims,
            processor=variance.processor,
            processor_reference=reference,
            memo=variance.memo,
        )
    )
    clearing = rules.account("tender_clearing", processor=variance.processor)
    lines.add(
        Posting(
            "tender_clearing",
            clearing,
            clearing_side,
            amount,
            dims,
            processor=variance.processor,
            processor_reference=reference,
            memo=f"settlement {variance.settlement_report_id}",
        )
    )
    journal_lines = lines.lines()
    if not journal_lines:
        raise PostingError("amount", "a zero variance has nothing to post")
    return JournalEntry(
        entry_id=deterministic_id("journal-variance", variance.variance_id),
        legal_entity_id=variance.legal_entity_id,
        currency=variance.amount.currency,
        business_date=variance.business_date,
        period_id=period.period_id,
        posted_at=posted_at,
        source_system="reconciliation",
        document_id=variance.variance_id,
        order_id=variance.order_id,
        transaction_kind=f"variance:{variance.kind}",
        channel_id=variance.channel_id,
        lines=journal_lines,
        late=period.late,
        flags=list(period.flags),
    )
