"""POSLog document -> one canonical SalesTransaction per completed RetailTransaction.

- Identity: document id ``<store>-<workstation>-<business day>-<sequence>`` (also the receipt
  id the customer holds); the store id is the node id as written by the POS.
- Skipped, not errors: control transactions (sign-on, till), training-mode and cancelled
  transactions, and voided line items.
- Rewards that name a sold line (acs:OperatorSequenceReference) discount that line; others, and
  transaction-level Tax line items, are spread over the sold lines in proportion to their net.
- Kind: sold lines only -> sale; returned only -> return (original from TransactionLink);
  both -> exchange.
- The transaction must add up to its own TransactionGrandAmount total, else it is a parse problem
  (the mapping cannot be trusted); balancing against tenders is `validate_transaction`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from xml.etree.ElementTree import Element

from canon.sales import SalesLine, SalesTransaction, TaxLine, Tender

from connectors.sales._reading import Problems, to_utc
from connectors.sales.poslog._assembly import place_discounts, spread_taxes
from connectors.sales.poslog._lines import (
    Context,
    PendingDiscount,
    PosPromotionResolver,
    item_line,
    reward,
    tax,
    tender,
)
from connectors.sales.poslog._xml import Names, load

__all__ = ["PosPromotionResolver", "parse_poslog"]

_SKIPPED_STATUSES = frozenset({"Voided", "Canceled", "Cancelled", "Suspended"})


@dataclass(frozen=True)
class _Settings:
    legal_entity_id: str
    currency: str | None
    source_system: str
    channel_id: str
    timezone: tzinfo | None
    resolver: PosPromotionResolver | None


def parse_poslog(
    content: bytes,
    *,
    legal_entity_id: str,
    currency: str | None = None,
    source_system: str = "pos",
    channel_id: str = "store",
    timezone: tzinfo | None = None,
    promotion_resolver: PosPromotionResolver | None = None,
) -> list[SalesTransaction]:
    """`currency` is used when a transaction has no CurrencyCode (and must agree when it has);
    `timezone` is the store's, for timestamps written without a UTC offset (ACS writes them so)."""
    problems = Problems()
    root = load(content, problems)
    names = Names.of(root)
    settings = _Settings(legal_entity_id, currency, source_system, channel_id, timezone, promotion_resolver)
    elements = [root] if names.local(root) == "Transaction" else root.findall(names.tag("Transaction"))
    parsed = []
    for position, element in enumerate(elements, start=1):
        retail = names.find(element, "RetailTransaction")
        if retail is not None and not _skipped(element, retail):
            parsed.append(_transaction(element, retail, position, names, problems, settings))
    problems.raise_if_any()
    return [tx for tx in parsed if tx is not None]


def _skipped(element: Element, retail: Element) -> bool:
    flags = (element.get("CancelFlag"), element.get("TrainingModeFlag"))
    return "true" in flags or retail.get("TransactionStatus") in _SKIPPED_STATUSES


def _transaction(
    element: Element, retail: Element, position: int, names: Names, problems: Problems, settings: _Settings
) -> SalesTransaction | None:
    label = f"Transaction[{position}](seq {names.text(element, 'SequenceNumber')})"
    keys = {tag: names.text(element, tag) for tag in ("RetailStoreID", "WorkstationID", "SequenceNumber")}
    for tag, value in keys.items():
        if value is None:
            problems.add(position, f"{label}/{tag}", "required, missing")
    day_text = names.text(element, "BusinessDayDate")
    business_day = _date(day_text, position, f"{label}/BusinessDayDate", problems)
    occurred = problems.instant(
        names.text(element, "EndDateTime"), position, f"{label}/EndDateTime", settings.timezone
    )
    currency = _currency(names.text(element, "CurrencyCode"), settings.currency, position, label, problems)
    if None in keys.values() or business_day is None or occurred is None or currency is None:
        return None
    ctx = Context(names, problems, position, f"{label}/RetailTransaction", currency)
    lines, tenders, taxes = _read_line_items(retail, ctx, settings)
    if lines is None:
        return None
    link = retail.find(f".//{names.tag('TransactionLink')}")
    document_id = _document_id(keys["RetailStoreID"], keys["WorkstationID"], day_text, keys["SequenceNumber"])
    returned = {line.returned for line in lines}
    transaction = problems.build(
        position,
        label,
        SalesTransaction,
        source_system=settings.source_system,
        document_id=document_id,
        kind="exchange" if len(returned) == 2 else "return" if returned == {True} else "sale",
        order_id=document_id,
        channel_id=settings.channel_id,
        node_id=str(keys["RetailStoreID"]),
        legal_entity_id=settings.legal_entity_id,
        currency=currency,
        business_date=business_day,
        occurred_at=to_utc(occurred),
        lines=spread_taxes(lines, taxes),
        tenders=tenders,
        original_document_id=_linked_document(link, names),
    )
    if transaction is not None:
        _check_grand_total(retail, transaction, ctx)
    return transaction


def _read_line_items(
    retail: Element, ctx: Context, settings: _Settings
) -> tuple[list[SalesLine] | None, list[Tender], list[TaxLine]]:
    names = ctx.names
    lines: list[SalesLine] = []
    by_operator_sequence: dict[str, int] = {}
    rewards: list[PendingDiscount] = []
    tenders: list[Tender] = []
    taxes: list[TaxLine] = []
    failed = False
    for index, item in enumerate(retail.findall(names.tag("LineItem")), start=1):
        if item.get("VoidFlag") == "true":
            continue
        sequence = names.text(item, "SequenceNumber") or str(index)
        path = f"{ctx.path}/LineItem(seq {sequence})"
        for child in item:
            kind, at = names.local(child), f"{path}/{names.local(child)}"
            if kind in ("Sale", "Return"):
                line = item_line(child, at, sequence, ctx)
                failed = failed or line is None
                operator_sequence = names.text(child, names.acs("OperatorSequence"))
                if line is not None and operator_sequence is not None:
                    by_operator_sequence[operator_sequence] = len(lines)
                lines += [line] if line else []
            elif kind == "Tender":
                found = tender(child, at, sequence, ctx)
                tenders += [found] if found else []
            elif kind == "LoyaltyReward":
                pending = reward(child, at, ctx, settings.resolver)
                rewards += [pending] if pending else []
            elif kind == "Tax":
                levied = tax(child, at, ctx)
                taxes += [levied] if levied else []
    if failed:
        return None, tenders, taxes
    if not lines:
        ctx.problems.add(ctx.position, ctx.path, "a retail transaction without item lines")
        return None, tenders, taxes
    return place_discounts(lines, rewards, by_operator_sequence), tenders, taxes


def _date(text: str | None, position: int, path: str, problems: Problems) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        problems.add(position, path, f"not an ISO date: {text!r}")
        return None


def _currency(
    found: str | None, given: str | None, position: int, label: str, problems: Problems
) -> str | None:
    if found is not None and given is not None and found != given:
        problems.add(position, f"{label}/CurrencyCode", f"{found} differs from the expected {given}")
        return None
    if found is None and given is None:
        problems.add(position, f"{label}/CurrencyCode", "missing, and no currency was given")
        return None
    return problems.currency(found or given, position, f"{label}/CurrencyCode")


def _document_id(store: str | None, workstation: str | None, day: str | None, sequence: str | None) -> str:
    return f"{store}-{workstation}-{day}-{sequence}"


def _linked_document(link: Element | None, names: Names) -> str | None:
    if link is None:
        return None
    parts = [
        names.text(link, tag)
        for tag in ("RetailStoreID", "WorkstationID", "BusinessDayDate", "SequenceNumber")
    ]
    return None if None in parts else _document_id(*parts)


def _check_grand_total(retail: Element, tx: SalesTransaction, ctx: Context) -> None:
    """The file's own total must equal what we read (customer-pays direction, or its magnitude
    for a return), so a mis-mapped or unknown money-bearing element cannot pass silently."""
    total = next(
        (t for t in retail.findall(ctx.names.tag("Total")) if t.get("TotalType") == "TransactionGrandAmount"),
        None,
    )
    if total is None:
        return
    grand = ctx.problems.money(
        total.text, ctx.currency, ctx.position, f"{ctx.path}/Total[TransactionGrandAmount]"
    )
    read = tx.net_total + tx.tax_total
    customer_pays = -read if tx.kind == "return" else read
    if grand is not None and grand != customer_pays and not (tx.kind == "return" and grand == read):
        ctx.problems.add(
            ctx.position,
            f"{ctx.path}/Total[TransactionGrandAmount]",
            f"{grand} but the lines read add up to {customer_pays} (net {tx.net_total}, tax {tx.tax_total})",
        )
