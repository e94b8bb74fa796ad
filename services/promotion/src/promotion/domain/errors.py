"""Domain errors of the promotion context.

Invalid values raise :class:`canon.errors.ValidationError` naming the field at fault (re-exported
here); lifecycle misuse raises the errors below, each naming what is wrong.
"""

from __future__ import annotations

from canon.errors import ValidationError

__all__ = ["InvalidTransition", "PromotionError", "SegregationOfDuties", "ValidationError"]


class PromotionError(Exception):
    """Base of the lifecycle errors (an HTTP adapter maps these to 409)."""


class InvalidTransition(PromotionError):  # noqa: N818 (the name the domain uses)
    """A lifecycle verb was attempted from a status that does not allow it."""

    def __init__(self, current: str, attempted: str) -> None:
        super().__init__(f"cannot {attempted} a promotion version that is {current}")
        self.current = current
        self.attempted = attempted


class SegregationOfDuties(PromotionError):  # noqa: N818
    """The approver is the version's author: approval needs a second person."""

    def __init__(self, user: str, version: int) -> None:
        super().__init__(f"{user} authored version {version} and cannot approve it")
        self.user = user
        self.version = version
