"""API-key channel bindings on authoring and lifecycle: a key bound to channels acts only on
promotions scoped within them.

A promotion with no channels in its scope runs in every channel, so a bound key cannot author or
approve it either. An unbound key (no channels) may act on any promotion.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from promotion.application.errors import ChannelNotAllowed
from promotion.domain.version import PromotionVersion


def check_channel_binding(versions: Iterable[PromotionVersion], bound_channels: Collection[str]) -> None:
    """Raise ChannelNotAllowed (naming ``scope.channels``) unless every version is scoped within
    ``bound_channels``; nothing is checked when the key is not bound."""
    if not bound_channels:
        return
    allowed = ", ".join(sorted(bound_channels))
    for version in versions:
        channels = version.scope.channels
        if not channels:
            raise ChannelNotAllowed(
                "scope.channels",
                f"promotion {version.promotion_id!r} version {version.version} runs in every channel; "
                f"this API key is bound to {allowed}",
            )
        for channel in sorted(channels):
            if channel not in bound_channels:
                raise ChannelNotAllowed(
                    f"scope.channels[{channel!r}]",
                    f"promotion {version.promotion_id!r} version {version.version} runs in {channel!r}; "
                    f"this API key is bound to {allowed}",
                )
