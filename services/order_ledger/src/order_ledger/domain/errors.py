"""Domain errors of the order ledger; each names the field at fault (canon's ValidationError)."""

from __future__ import annotations

from canon.errors import ValidationError


class PostingError(ValidationError):
    """A transaction or event cannot be posted (no account for a role, no open period ...)."""


class NoOpenPeriodError(PostingError):
    def __init__(self, legal_entity_id: str, business_date: object, closed_period: str) -> None:
        super().__init__(
            "business_date",
            f"{business_date} falls in closed period {closed_period} of {legal_entity_id} "
            "and no later open period is known",
        )
