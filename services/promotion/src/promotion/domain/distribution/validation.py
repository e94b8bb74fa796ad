"""Can a version deploy to a target: items exist and are active, the region maps every tax class.

A problem in one target (a region without a tax mapping) fails that target only.
"""

from __future__ import annotations

from promotion.domain.distribution.master_view import MasterView
from promotion.domain.distribution.targets import Target
from promotion.domain.mechanics import mechanic_item_sets
from promotion.domain.version import PromotionVersion


def named_skus(version: PromotionVersion) -> list[str]:
    """Every sku the version names: scope items, exclusions and the mechanic's item sets."""
    skus = set(version.scope.items) | set(version.scope.excluded_items)
    for item_set in mechanic_item_sets(version.mechanic) or []:
        skus |= item_set.skus
    return sorted(skus)


def item_problems(version: PromotionVersion, master: MasterView) -> list[str]:
    """Problems with the items themselves (the same for every target)."""
    problems = []
    for sku in named_skus(version):
        item = master.items.get(sku)
        if item is None:
            problems.append(f"item {sku!r} is not in master data")
        elif not item.is_active and sku not in version.scope.excluded_items:
            problems.append(f"item {sku!r} is inactive")
    return problems


def target_problem(version: PromotionVersion, target: Target, master: MasterView) -> str | None:
    """Why the version cannot deploy to ``target`` (None when it can)."""
    problems = item_problems(version, master)
    if problems:
        return "; ".join(problems)
    if target.region is None:
        return None
    missing: dict[str, list[str]] = {}
    for sku in named_skus(version):
        if sku in version.scope.excluded_items:
            continue
        tax_class = master.items[sku].tax_class
        if master.tax_code(target.region, tax_class) is None:
            missing.setdefault(tax_class, []).append(sku)
    if missing:
        region = target.region
        return "; ".join(
            f"no tax mapping for tax class {tax_class!r} in region {region!r} (items {', '.join(skus)})"
            for tax_class, skus in sorted(missing.items())
        )
    return None
