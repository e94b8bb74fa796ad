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

How it stays fast without changing any of that (``reference=True`` runs without these shortcuts,
and the property tests hold both to the same result):
- promotions are compiled once into plans (:mod:`promotion.domain.plan`): integers and frozensets;
- a trial alone over many lines is run dry (only its saving and touched lines are added up; its
  ledger is worked out if it is adopted), and a stackable promotion outside any stacking group
  whose trial cannot change the outcome is not tried at all (``Plan.trial_optional``);
- a stackable promotion whose lines nothing touched yet adopts its trial instead of running again;
- when no exclusive promotion wins, the stack-alone pass is the final one, and outside the claimed
  lines it still is unless a promotion reading several lines (``Plan.per_line_only`` false) has
  one of them claimed.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from promotion.domain.apply import CartLookup, apply_plan
from promotion.domain.cart import Cart, CartLine, CouponUsage
from promotion.domain.eligibility import coupon_check
from promotion.domain.ledger import Ledger, PromotionKey
from promotion.domain.plan import Plan, plan_for
from promotion.domain.priced import PricedCart, PricedLine
from promotion.domain.result import CouponRedemption, EvaluationResult
from promotion.domain.version import PromotionVersion

_SORT_KEY = attrgetter("sort_key")

_DRY_RUN_FROM = 3
"""A standalone trial over more eligible lines than this is run dry (wide offers mostly overlap
others, so they are applied again anyway)."""


class _Standalone:
    """A promotion applied alone to the cart (its trial), or, when the trial can be skipped, only
    known to apply here. A wide trial is run dry (its saving and touched lines only) and a skipped
    one not at all: its ledger is worked out when it is adopted."""

    __slots__ = ("_ledger", "_touched", "base", "coupon_code", "eligible", "plan", "saving")

    def __init__(
        self, plan: Plan, coupon_code: str | None, base: Ledger, eligible: list[int], *, dry: bool
    ) -> None:
        self.plan = plan
        self.coupon_code = coupon_code
        self.base = base
        self.eligible = eligible
        self._ledger: Ledger | None = None
        self._touched: frozenset[int] | None = None
        self.saving = -1
        """-1 until tried."""
        if dry:
            ledger = base.fork(dry=True)
            self._touched = frozenset(apply_plan(plan, ledger, eligible))
            self.saving = ledger.taken

    def try_alone(self) -> None:
        ledger = self.base.fork()
        self._touched = frozenset(apply_plan(self.plan, ledger, self.eligible))
        self._ledger = ledger
        self.saving = ledger.taken

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self.try_alone()
            assert self._ledger is not None
        return self._ledger

    @property
    def touched(self) -> frozenset[int]:
        if self._touched is None:
            self.try_alone()
            assert self._touched is not None
        return self._touched

    @property
    def best_first_key(self) -> tuple[int, int, str, int]:
        return (-self.saving, *self.plan.sort_key)


def evaluate(
    candidates: Iterable[PromotionVersion],
    cart: Cart,
    usage: CouponUsage | None = None,
    *,
    reference: bool = False,
) -> EvaluationResult:
    """Evaluate ``cart`` against ``candidates`` (any superset of the promotions that could apply).

    ``reference=True`` runs the plain definition (every line tested against every promotion, every
    promotion tried alone in full, every stackable promotion applied again, every mechanic on its
    general path): the oracle the fast path is tested against, and the naive baseline of the
    benchmark. Both give the same result.
    """
    return evaluate_plans([plan_for(version) for version in candidates], cart, usage, reference=reference)


def canonical_order(cart: Cart) -> tuple[list[int], list[CartLine]]:
    """The caller's line indexes in canonical order, and the lines in that order."""
    cart_lines = cart.lines
    keyed = sorted(
        (line.sku, line.category_id, line.unit_price.amount_minor, line.qty, line.line_id, index)
        for index, line in enumerate(cart_lines)
    )  # CartLine.canonical_key, then the caller's index (line ids are unique: never reached)
    order = [key[-1] for key in keyed]
    return order, [cart_lines[index] for index in order]


def evaluate_plans(
    plans: Iterable[Plan], cart: Cart, usage: CouponUsage | None = None, *, reference: bool = False
) -> EvaluationResult:
    """:func:`evaluate` on compiled plans (see :mod:`promotion.domain.plan`)."""
    order, lines = canonical_order(cart)
    unique = {plan.key: plan for plan in plans}
    return evaluate_matched(
        {plan: None for plan in unique.values()}, cart, usage, order, lines, reference=reference
    )


def evaluate_matched(
    candidates: dict[Plan, list[int] | None],
    cart: Cart,
    usage: CouponUsage | None,
    order: list[int],
    lines: list[CartLine],
    *,
    reference: bool = False,
) -> EvaluationResult:
    """:func:`price_matched`, as an :class:`EvaluationResult`."""
    return price_matched(candidates, cart, usage, order, lines, reference=reference).result()


def price_matched(
    candidates: dict[Plan, list[int] | None],
    cart: Cart,
    usage: CouponUsage | None,
    order: list[int],
    lines: list[CartLine],
    *,
    reference: bool = False,
) -> PricedCart:
    """The engine proper. ``candidates`` maps each plan (one per promotion key) to the lines (in
    canonical order, ascending) its item keys matched, or None to look them up: the eligible lines
    are those of them that pass the plan's full line test."""
    base = Ledger.start(lines, plain=reference)  # never written: trials and passes fork it
    standalone = _standalone_outcomes(candidates, cart, usage or {}, base, reference)
    stack = _resolve_stacking_groups([outcome for outcome in standalone if not outcome.plan.exclusive])
    exclusives = sorted((o for o in standalone if o.plan.exclusive), key=lambda o: o.best_first_key)
    claimed: set[int] = set()
    if exclusives:
        stack_alone = base.fork()
        for outcome in stack:
            _apply_in_turn(outcome, stack_alone, claimed, reference)
        final = base.fork()
        for outcome in exclusives:
            if outcome.touched & claimed or outcome.saving < stack_alone.discount_on(outcome.touched):
                continue
            claimed |= outcome.touched
            final.adopt(outcome.ledger, outcome.touched)
        if not reference:
            if not claimed:  # no exclusive won: the final pass would repeat the stack-alone one
                return _priced(cart, order, stack_alone, standalone)
            if all(o.plan.per_line_only or claimed.isdisjoint(o.eligible) for o in stack):
                # Outside the claimed lines every stackable promotion sees what it saw in the
                # stack-alone pass (one reading only its own line, or none of its lines claimed),
                # so those lines end as they did there.
                for line in range(len(lines)):
                    if line not in claimed:
                        final.remaining[line] = stack_alone.remaining[line]
                        tallies = stack_alone.tallies.get(line)
                        if tallies:
                            final.tallies[line] = tallies
                return _priced(cart, order, final, standalone)
    else:
        final = base.fork()
    for outcome in stack:
        _apply_in_turn(outcome, final, claimed, reference)
    return _priced(cart, order, final, standalone)


def _apply_in_turn(outcome: _Standalone, ledger: Ledger, blocked: set[int], reference: bool) -> None:
    """Apply a stackable promotion to what earlier ones left. When none of its eligible lines was
    touched or blocked yet, the outcome is exactly its standalone one (a mechanic reads only its
    eligible lines), so a tried promotion adopts its trial instead of running again: the common,
    disjoint case. One never tried just runs (that costs what trying it would)."""
    eligible = outcome.eligible
    if (
        not reference
        and outcome.saving >= 0
        and ledger.changed_lines.isdisjoint(eligible)
        and blocked.isdisjoint(eligible)
    ):
        ledger.adopt(outcome.ledger, outcome.touched)
        return
    apply_plan(outcome.plan, ledger, eligible, blocked)


def _standalone_outcomes(
    candidates: dict[Plan, list[int] | None],
    cart: Cart,
    usage: CouponUsage,
    base: Ledger,
    reference: bool,
) -> list[_Standalone]:
    outcomes: list[_Standalone] = []
    lookup: CartLookup | None = None
    lines = base.lines
    currency, instant, region = cart.currency, cart.instant, cart.region
    channel, cluster = cart.channel, cart.store_cluster
    coupons = cart.coupons
    for plan in sorted(candidates, key=_SORT_KEY):
        if plan.local:
            if not (plan.is_open_at(instant, region) and plan.covers_context(channel, region, cluster)):
                continue
        elif not plan.start <= instant < plan.end or (plan.channels and channel not in plan.channels):
            continue
        if plan.currency is not None and plan.currency != currency:
            continue
        code = None
        if plan.coupon is not None:
            if coupons.isdisjoint(plan.coupon.codes):  # most carts carry no code
                continue
            applies, code = coupon_check(plan, cart, usage)
            if not applies:
                continue
        matched = candidates[plan]
        if matched is None:
            if lookup is None:
                lookup = CartLookup(lines)
            eligible = lookup.scan_lines(plan) if reference else lookup.eligible_lines(plan)
        elif plan.matched_is_eligible:
            eligible = matched
        else:
            test = plan.line_is_eligible
            eligible = [i for i in matched if test(lines[i].sku, lines[i].category_id)]
        if not eligible:
            continue
        if plan.trial_optional and not reference:
            # Saving nothing alone, it saves nothing after others either (see Plan.trial_optional):
            # its trial is only needed if it is adopted.
            outcomes.append(_Standalone(plan, code, base, eligible, dry=False))
            continue
        outcome = _Standalone(plan, code, base, eligible, dry=not reference and len(eligible) > _DRY_RUN_FROM)
        if outcome.saving < 0:
            outcome.try_alone()
        if outcome.saving > 0:
            outcomes.append(outcome)
    return outcomes


def _resolve_stacking_groups(stackable: list[_Standalone]) -> list[_Standalone]:
    """At most one promotion per stacking group; result in application (priority) order."""
    best_in_group: dict[str, _Standalone] = {}
    kept: list[_Standalone] = []
    for outcome in stackable:
        group = outcome.plan.group
        if group is None:
            kept.append(outcome)
        elif group not in best_in_group or outcome.best_first_key < best_in_group[group].best_first_key:
            best_in_group[group] = outcome
    kept.extend(best_in_group.values())
    return sorted(kept, key=lambda outcome: outcome.plan.sort_key)


def _priced(cart: Cart, order: list[int], final: Ledger, standalone: list[_Standalone]) -> PricedCart:
    """The final ledger's lines in the caller's order, and the coupons the kept promotions need."""
    all_tallies = final.tallies
    lines = final.lines
    in_order: list[PricedLine] = [
        (line, all_tallies.get(position) or None) for position, line in enumerate(lines)
    ]
    by_caller_index = in_order.copy()
    for position, caller_index in enumerate(order):
        by_caller_index[caller_index] = in_order[position]
    applied: set[PromotionKey] = set()
    for tallies in all_tallies.values():
        applied.update(tallies)
    coupons = [
        CouponRedemption(code=o.coupon_code, promotion_id=o.plan.key[0], version=o.plan.key[1])
        for o in standalone
        if o.coupon_code is not None and o.plan.key in applied
    ]
    coupons.sort(key=lambda coupon: (coupon.promotion_id, coupon.code))
    return PricedCart(cart.currency, by_caller_index, coupons)
