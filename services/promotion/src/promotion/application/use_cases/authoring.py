"""Authoring: create a promotion (version 1, a draft) and edit it (version N+1, a draft).

Rules:
- the content is validated as a whole; an error names the field (``window.end``, ``mechanic.kind``);
- every sku, category and channel the version names must exist in master data
  (``scope.items['SKU-9']: unknown item``); nothing is stored when anything is wrong;
- a coupon code belongs to one promotion only;
- the author is the API key's owner; an edit is a new immutable version, never a change;
- a key bound to channels authors only promotions scoped within them (not one for every channel).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

import msgspec

from promotion.application.access import check_binding
from promotion.application.errors import DuplicatePromotion, NotFound
from promotion.application.ports import UnitOfWork, UnitOfWorkFactory
from promotion.application.views import PromotionView, promotion_view
from promotion.domain.codec import decode_promotion_version
from promotion.domain.distribution.validation import named_skus
from promotion.domain.errors import ValidationError
from promotion.domain.mechanics import mechanic_item_sets
from promotion.domain.promotion import Promotion
from promotion.domain.version import PromotionVersion


def decode_content(raw: dict[str, Any], version: int) -> PromotionVersion:
    if not isinstance(raw, dict):
        raise ValidationError("$", "a promotion version is a JSON object")
    return decode_promotion_version(msgspec.json.encode({**raw, "version": version}))


async def check_references(uow: UnitOfWork, version: PromotionVersion) -> None:
    """Raise ValidationError naming the first unknown sku, category, channel or foreign coupon code."""
    named = {
        "item": {sku: f"scope.items[{sku!r}]" for sku in named_skus(version)},
        "category": {c: f"scope.categories[{c!r}]" for c in version.scope.categories},
        "channel": {c: f"scope.channels[{c!r}]" for c in version.scope.channels},
    }
    for item_set in mechanic_item_sets(version.mechanic) or []:
        named["category"].update({c: f"mechanic.categories[{c!r}]" for c in item_set.categories})
    for record_type, fields in named.items():
        existing = await uow.master.existing(record_type, fields)
        for key in sorted(fields):
            if key not in existing:
                raise ValidationError(fields[key], f"unknown {record_type} {key!r} (not in master data)")
    if version.coupon is not None:
        owners = await uow.promotions.code_owners(version.coupon.codes)
        for code, owner in sorted(owners.items()):
            if owner != version.promotion_id:
                raise ValidationError(
                    f"coupon.codes[{code!r}]", f"code already belongs to promotion {owner!r}"
                )


class CreatePromotion:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(
        self,
        raw: dict[str, Any],
        *,
        by: str,
        channels: Collection[str] = (),
        store_clusters: Collection[str] = (),
    ) -> PromotionView:
        """``channels`` / ``store_clusters``: the caller's bindings (empty: not bound)."""
        content = decode_content(raw, 1)
        check_binding([content], channels, store_clusters)
        async with self._uow_factory() as uow:
            if await uow.promotions.get(content.promotion_id) is not None:
                raise DuplicatePromotion(content.promotion_id)
            await check_references(uow, content)
            promotion = Promotion.create(content, by=by, at=self._clock())
            await uow.promotions.add(promotion)
            await uow.commit()
        return promotion_view(promotion)


class EditPromotion:
    """``changes`` are top-level fields of the version (``{"mechanic": {...}}``) replacing the latest's."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime] | None = None) -> None:
        self._uow_factory = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))

    async def __call__(
        self,
        promotion_id: str,
        changes: dict[str, Any],
        *,
        by: str,
        why: str,
        channels: Collection[str] = (),
        store_clusters: Collection[str] = (),
    ) -> PromotionView:
        """``channels`` / ``store_clusters``: the caller's bindings (empty: not bound); the latest
        version and the new one must both be within them."""
        for field in ("promotion_id", "version"):
            if field in changes:
                raise ValidationError(f"changes.{field}", "is set by the service, not by an edit")
        async with self._uow_factory() as uow:
            promotion = await uow.promotions.get(promotion_id)
            if promotion is None:
                raise NotFound("promotion", promotion_id)
            check_binding([promotion.latest.content], channels, store_clusters)
            latest = msgspec.to_builtins(promotion.latest.content)
            content = decode_content({**latest, **changes}, promotion.latest.version + 1)
            check_binding([content], channels, store_clusters)
            await check_references(uow, content)
            promotion.edit(
                by=by, at=self._clock(), why=why, **{name: getattr(content, name) for name in changes}
            )
            await uow.promotions.save(promotion)
            await uow.commit()
        return promotion_view(promotion)
