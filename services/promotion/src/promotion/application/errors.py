"""Application errors the adapters map to answers (404, 409); each names the field at fault."""

from __future__ import annotations

from promotion.domain.errors import PromotionError


class NotFound(Exception):  # noqa: N818
    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"{what} {key!r} does not exist")
        self.what = what
        self.key = key


class DuplicatePromotion(PromotionError):  # noqa: N818 (domain names)
    def __init__(self, promotion_id: str) -> None:
        super().__init__(f"promotion {promotion_id!r} exists already; edit it to make a new version")
        self.field = "promotion_id"


class VersionMismatch(PromotionError):  # noqa: N818 (domain names)
    """The caller decided on a version that is not the one the verb applies to (stale view)."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"the action applies to version {actual}, not version {expected}")
        self.field = "version"


class CouponLimitReached(PromotionError):  # noqa: N818 (domain names)
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"coupon {code!r} cannot be redeemed: {reason}")
        self.field = "code"


class ChannelNotAllowed(Exception):  # noqa: N818
    """The API key is bound to channels and the promotion reaches beyond them (answered 403)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
