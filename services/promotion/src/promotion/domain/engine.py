"""The evaluation engine: a cart and candidate promotions in, traceable per-line adjustments out.

Rules (DOMAIN.md, Promotions), in the order the engine applies them:
1. Lines are sorted canonically first, so the result does not depend on the order they came in;
   results are mapped back to the caller's line ids and order.
2. A promotion applies only in its currency, window (regional if set), channel/region/cluster
   scope, and with a usable coupon code when it requires one.
3. Each applicable promotion is first evaluated alone ("standalone"); one that saves nothing drops.
4. Stacking groups: of the stackable promotions in one group only the best for the customer
   stays (largest standalone saving, ties by priority then id).
5. Exclusive promotions, best first (largest saving, then priority, then id), each claim the lines
   they touch when no earlier exclusive claimed any of them and they save at least as much there
   as the stackable promotions together would; no other promotion touches a claimed line.
6. Stackable promotions apply in priority order (lower first, then id), each to what the earlier
   ones left: two 10% offers give 19%. No unit goes below zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from canon.money import Money

from promotion.domain.apply import CartLookup, apply_promotion
from promotion.domain.cart import Cart, CartLine, CouponUsage
from promotion.domain.eligibility import applies_to_context, coupon_check
from promotion.domain.ledger import Ledger
from promotion.domain.result import CouponRedemption, EvaluationResult, LineAdjustment, LineResult
from promotion.domain.version import PromotionVersion


@dataclass(frozen=True, slots=True)
class _Standalone:
    promotion: PromotionVersion
    coupon_code: str | None
    ledger: Ledger
    touched: frozenset[int]
    saving: int
    eligible: list[int]

    @property
    def best_first_key(self) -> tuple[int, int, str, int]:
        return (-self.saving, *self.promotion.sort_key)


def evaluate(
    candidates: Iterable[PromotionVersion],
    cart: Cart,
    usage: CouponUsage | None = None,
    *,
    reference: bool = False,
) -> EvaluationResult:
    """Evaluate ``cart`` against ``candidates`` (any superset of the promotions that could apply).

    ``reference=True`` runs the plain definition (every line tested against every promotion, every
    stackable promotion applied again): the oracle the fast path is tested against, and the naive
    baseline of the benchmark. Both give the same result.
    """
    order = sorted(range(len(cart.lines)), key=lambda index: cart.lines[index].canonical_key)
    lines = [cart.lines[index] for index in order]
    standalone = _standalone_outcomes(candidates, cart, usage or {}, lines, reference)
    stack = _resolve_stacking_groups(
        [outcome for outcome in standalone if not outcome.promotion.stacking.exclusive]
    )
    exclusives = sorted(
        (o for o in standalone if o.promotion.stacking.exclusive), key=lambda o: o.best_first_key
    )
    stack_alone = Ledger(lines)
    if exclusives:
        for outcome in stack:
            _apply_in_turn(outcome, stack_alone, set(), reference)
    final = Ledger(lines)
    claimed: set[int] = set()
    for outcome in exclusives:
        if outcome.touched & claimed or outcome.saving < stack_alone.discount_on(outcome.touched):
            continue
        claimed |= outcome.touched
        final.adopt(outcome.ledger, outcome.touched)
    for outcome in stack:
        _apply_in_turn(outcome, final, claimed, reference)
    return _result(cart, order, final, standalone)


def _apply_in_turn(outcome: _Standalone, ledger: Ledger, blocked: set[int], reference: bool) -> None:
    """Apply a stackable promotion to what earlier ones left. When none of its eligible lines was
    touched or blocked yet, the outcome is exactly its standalone one (a mechanic reads only its
    eligible lines), so that is adopted instead of evaluated again: the common, disjoint case."""
    eligible = outcome.eligible
    if not reference and ledger.changed_lines.isdisjoint(eligible) and blocked.isdisjoint(eligible):
        ledger.adopt(outcome.ledger, outcome.touched)
        return
    apply_promotion(outcome.promotion, ledger, blocked_lines=blocked, eligible=eligible)


def _standalone_outcomes(
    candidates: Iterable[PromotionVersion],
    cart: Cart,
    usage: CouponUsage,
    lines: list[CartLine],
    reference: bool,
) -> list[_Standalone]:
    unique = {(promotion.promotion_id, promotion.version): promotion for promotion in candidates}
    outcomes: list[_Standalone] = []
    lookup = CartLookup(lines)
    base = Ledger(lines)
    for promotion in sorted(unique.values(), key=lambda promotion: promotion.sort_key):
        if not applies_to_context(promotion, cart):
            continue
        applies, code = coupon_check(promotion, cart, usage)
        if not applies:
            continue
        eligible = lookup.scan_lines(promotion) if reference else lookup.eligible_lines(promotion)
        if not eligible:
            continue
        ledger = Ledger.fork(base)
        touched = apply_promotion(promotion, ledger, eligible=eligible)
        saving = ledger.discount_of(promotion)
        if saving > 0:
            outcomes.append(_Standalone(promotion, code, ledger, frozenset(touched), saving, eligible))
    return outcomes


def _resolve_stacking_groups(stackable: list[_Standalone]) -> list[_Standalone]:
    """At most one promotion per stacking group; result in application (priority) order."""
    best_in_group: dict[str, _Standalone] = {}
    kept: list[_Standalone] = []
    for outcome in stackable:
        group = outcome.promotion.stacking.stacking_group
        if group is None:
            kept.append(outcome)
        elif group not in best_in_group or outcome.best_first_key < best_in_group[group].best_first_key:
            best_in_group[group] = outcome
    kept.extend(best_in_group.values())
    return sorted(kept, key=lambda outcome: outcome.promotion.sort_key)


def _result(cart: Cart, order: list[int], final: Ledger, standalone: list[_Standalone]) -> EvaluationResult:
    by_caller_index: dict[int, LineResult] = {}
    applied: set[tuple[str, int]] = set()
    currency = cart.currency
    total_minor = 0
    for position, caller_index in enumerate(order):
        line = final.lines[position]
        tallies = final.tallies_of(position).values()
        adjustments = [
            LineAdjustment(
                promotion_id=tally.promotion.promotion_id,
                version=tally.promotion.version,
                amount=Money(tally.amount_minor, currency),
                units=tally.units,
                funding=tally.promotion.funding,
                accounting=tally.promotion.accounting,
            )
            for tally in tallies
        ]
        applied.update((adjustment.promotion_id, adjustment.version) for adjustment in adjustments)
        gross_minor = line.unit_price.amount_minor * line.qty
        discount_minor = sum(tally.amount_minor for tally in tallies)
        total_minor += discount_minor
        by_caller_index[caller_index] = LineResult(
            line_id=line.line_id,
            gross=Money(gross_minor, currency),
            discount=Money(discount_minor, currency),
            net=Money(gross_minor - discount_minor, currency),
            adjustments=adjustments,
        )
    line_results = [by_caller_index[index] for index in range(len(cart.lines))]
    coupons = [
        CouponRedemption(
            code=o.coupon_code, promotion_id=o.promotion.promotion_id, version=o.promotion.version
        )
        for o in standalone
        if o.coupon_code is not None and (o.promotion.promotion_id, o.promotion.version) in applied
    ]
    return EvaluationResult(
        lines=line_results,
        total_discount=Money(total_minor, currency),
        coupons_consumed=sorted(coupons, key=lambda coupon: (coupon.promotion_id, coupon.code)),
    )
