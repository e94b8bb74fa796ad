"""What a key bound to channels or legal entities may read (DESIGN.md section 6: a key for one channel
cannot read another's data). Another's order or entry answers 404, as if it did not exist."""

from __future__ import annotations

from retail_platform.principal import Principal
from retail_platform.problems import ProblemError

from order_ledger.adapters.postgres.queries import OrderTrace


def may_see(principal: Principal, channel_id: str | None, legal_entity_id: str) -> bool:
    """A channel-bound key sees only its channels' documents (not those without a channel)."""
    channel_ok = not principal.channels or (channel_id is not None and channel_id in principal.channels)
    return channel_ok and principal.may_access_legal_entity(legal_entity_id)


def may_see_trace(principal: Principal, trace: OrderTrace) -> bool:
    transactions = (t.transaction for t in trace.transactions)
    return all(may_see(principal, t.channel_id, t.legal_entity_id) for t in transactions) and all(
        may_see(principal, e.channel_id, e.legal_entity_id) for e in trace.entries
    )


def require_unbound(principal: Principal, what: str) -> None:
    """Lists that carry no channel or legal entity cannot be filtered: only unbound keys read them."""
    if principal.channels or principal.legal_entities or principal.store_clusters:
        raise ProblemError(403, "Forbidden", f"{what} need a key without channel or legal entity bindings")
