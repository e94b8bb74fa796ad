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

from canon.money import Money, sum_money

from promotion.domain.apply import apply_promotion
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

    @property
    def best_first_key(self) -> tuple[int, int, str, int]:
        return (-self.saving, *self.promotion.sort_key)


def evaluate(
    candidates: Iterable[PromotionVersion], cart: Cart, usage: CouponUsage | None = None
) -> EvaluationResult:
    """Evaluate ``cart`` against ``candidates`` (any superset of the promotions that could apply)."""
    order = sorted(range(len(cart.lines)), key=lambda index: cart.lines[index].canonical_key)
    lines = [cart.lines[index] for index in order]
    standalone = _standalone_outcomes(candidates, cart, usage or {}, lines)
    stack = _resolve_stacking_groups(
        [outcome for outcome in standalone if not outcome.promotion.stacking.exclusive]
    )
    stack_alone = Ledger(lines)
    for outcome in stack:
        apply_promotion(outcome.promotion, stack_alone)
    final = Ledger(lines)
    claimed: set[int] = set()
    exclusives = sorted(
        (o for o in standalone if o.promotion.stacking.exclusive), key=lambda o: o.best_first_key
    )
    for outcome in exclusives:
        if outcome.touched & claimed or outcome.saving < stack_alone.discount_on(outcome.touched):
            continue
        claimed |= outcome.touched
        final.adopt(outcome.ledger, outcome.touched)
    for outcome in stack:
        apply_promotion(outcome.promotion, final, blocked_lines=claimed)
    return _result(cart, order, final, standalone)


def _standalone_outcomes(
    candidates: Iterable[PromotionVersion], cart: Cart, usage: CouponUsage, lines: list[CartLine]
) -> list[_Standalone]:
    unique = {(promotion.promotion_id, promotion.version): promotion for promotion in candidates}
    outcomes: list[_Standalone] = []
    for promotion in sorted(unique.values(), key=lambda promotion: promotion.sort_key):
        if not applies_to_context(promotion, cart):
            continue
        applies, code = coupon_check(promotion, cart, usage)
        if not applies:
            continue
        ledger = Ledger(lines)
        touched = apply_promotion(promotion, ledger)
        saving = ledger.discount_of(promotion)
        if saving > 0:
            outcomes.append(_Standalone(promotion, code, ledger, frozenset(touched), saving))
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
    for position, caller_index in enumerate(order):
        line = final.lines[position]
        adjustments = [
            LineAdjustment(
                promotion_id=tally.promotion.promotion_id,
                version=tally.promotion.version,
                amount=Money(tally.amount_minor, cart.currency),
                units=tally.units,
                funding=tally.promotion.funding,
                accounting=tally.promotion.accounting,
            )
            for tally in final.tallies[position].values()
        ]
        applied.update((adjustment.promotion_id, adjustment.version) for adjustment in adjustments)
        gross = line.unit_price * line.qty
        discount = sum_money((adjustment.amount for adjustment in adjustments), cart.currency)
        by_caller_index[caller_index] = LineResult(
            line_id=line.line_id,
            gross=gross,
            discount=discount,
            net=gross - discount,
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
        total_discount=sum_money((line.discount for line in line_results), cart.currency),
        coupons_consumed=sorted(coupons, key=lambda coupon: (coupon.promotion_id, coupon.code)),
    )
