"""Domain errors raised by canonical types.

Every invalid value raises :class:`ValidationError` naming the field at fault, so an HTTP adapter
can render it as an RFC 9457 problem with the field, and a consumer can put the reason on the DLQ.
"""

from __future__ import annotations


class ValidationError(ValueError):
    """A value broke a rule of a canonical type; ``field`` says which value, ``reason`` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    def __reduce__(self) -> tuple[type[ValidationError], tuple[str, str]]:
        return (type(self), (self.field, self.reason))


class CurrencyMismatch(ValueError):  # noqa: N818 (the name other code uses)
    """Arithmetic or comparison between amounts in different currencies: never converted silently."""


class DuplicateEventType(ValueError):  # noqa: N818
    """Two event types claimed the same subject in the catalogue."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"event type already registered: {subject}")
        self.subject = subject
