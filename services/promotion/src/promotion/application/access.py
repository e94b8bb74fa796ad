"""API-key bindings on promotions: channels and store clusters.

Authoring and lifecycle: a key bound to channels acts only on promotions scoped within them, and a
key bound to store clusters only on promotions scoped within its clusters. A promotion with no
channels (no store clusters) in its scope runs in every channel (every cluster), so a key bound to
channels (clusters) cannot author or approve it either. An unbound key may act on any promotion.

Reads: a bound key sees a promotion when at least one of its versions reaches the key, i.e. runs in
one of its channels (or in every channel) and in one of its store clusters (or in every cluster).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from promotion.application.errors import ChannelNotAllowed
from promotion.domain.version import PromotionVersion


def _refuse_beyond(
    versions: Iterable[PromotionVersion], member: str, noun: str, bound: Collection[str]
) -> None:
    if not bound:
        return
    allowed = ", ".join(sorted(bound))
    for version in versions:
        scoped: frozenset[str] = getattr(version.scope, member)
        if not scoped:
            raise ChannelNotAllowed(
                f"scope.{member}",
                f"promotion {version.promotion_id!r} version {version.version} runs in every {noun}; "
                f"this API key is bound to {allowed}",
            )
        for value in sorted(scoped):
            if value not in bound:
                raise ChannelNotAllowed(
                    f"scope.{member}[{value!r}]",
                    f"promotion {version.promotion_id!r} version {version.version} runs in {noun} "
                    f"{value!r}; this API key is bound to {allowed}",
                )


def check_binding(
    versions: Iterable[PromotionVersion], channels: Collection[str], store_clusters: Collection[str] = ()
) -> None:
    """Channels first, then store clusters; an empty binding checks nothing."""
    versions = list(versions)
    _refuse_beyond(versions, "channels", "channel", set(channels))
    _refuse_beyond(versions, "store_clusters", "store cluster", set(store_clusters))


def _reaches(scoped: frozenset[str], bound: Collection[str]) -> bool:
    return not bound or not scoped or not scoped.isdisjoint(bound)


def visible_to(
    versions: Iterable[PromotionVersion], channels: Collection[str], store_clusters: Collection[str] = ()
) -> bool:
    """True when some version reaches the key's channels and store clusters (an unbound key sees all)."""
    if not channels and not store_clusters:
        return True
    return any(
        _reaches(version.scope.channels, channels) and _reaches(version.scope.store_clusters, store_clusters)
        for version in versions
    )
