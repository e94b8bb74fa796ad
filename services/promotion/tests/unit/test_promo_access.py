"""API-key bindings on promotions (application/access.py): authoring checks channels and store
clusters alike; reads see a promotion when some version reaches the key."""

from __future__ import annotations

from typing import Any

import pytest
from promotion.application.access import check_binding, visible_to
from promotion.application.errors import ChannelNotAllowed
from promotion.application.use_cases.authoring import decode_content
from promotion.domain.version import PromotionVersion


def version(
    channels: list[str] | None = None, clusters: list[str] | None = None, number: int = 1
) -> PromotionVersion:
    scope: dict[str, Any] = {"items": ["CHIPS"]}
    if channels is not None:
        scope["channels"] = channels
    if clusters is not None:
        scope["store_clusters"] = clusters
    raw = {
        "promotion_id": "P1",
        "name": "P1",
        "window": {"start": "2030-01-05T00:00:00Z", "end": "2030-01-07T00:00:00Z"},
        "mechanic": {"kind": "buy_x_get_y", "buy_qty": 1, "get_qty": 1},
        "scope": scope,
    }
    return decode_content(raw, number)


def refused_field(versions: list[PromotionVersion], channels: Any, clusters: tuple[str, ...] = ()) -> str:
    with pytest.raises(ChannelNotAllowed) as refused:
        check_binding(versions, channels, clusters)
    return refused.value.field


def test_an_unbound_key_may_author_anything() -> None:
    check_binding([version(), version(["ECOM"], ["RURAL"])], (), ())


def test_store_clusters_are_checked_like_channels() -> None:
    check_binding([version(None, ["METRO"])], (), ("METRO",))
    assert (
        refused_field([version(None, ["METRO", "RURAL"])], (), ("METRO",)) == "scope.store_clusters['RURAL']"
    )
    assert refused_field([version()], (), ("METRO",)) == "scope.store_clusters"
    assert (
        refused_field([version(["AMAZON"], ["METRO"])], ("ECOM",), ("METRO",)) == "scope.channels['AMAZON']"
    )
    assert (
        refused_field([version(["ECOM"], ["RURAL"])], ("ECOM",), ("METRO",))
        == "scope.store_clusters['RURAL']"
    )


def test_a_promotion_is_visible_when_some_version_reaches_the_key() -> None:
    amazon, ecom, everywhere = version(["AMAZON"]), version(["ECOM"], number=2), version()
    assert not visible_to([amazon], ("ECOM",))
    assert visible_to([amazon, ecom], ("ECOM",))
    assert visible_to([everywhere], ("ECOM",))
    assert visible_to([amazon], ())
    assert visible_to([version(["STORES"], ["METRO"])], (), ("METRO",))
    assert visible_to([version(["STORES"])], (), ("METRO",))
    assert not visible_to([version(["STORES"], ["RURAL"])], (), ("METRO",))
    assert not visible_to([version(["AMAZON"], ["METRO"])], ("ECOM",), ("METRO",))
