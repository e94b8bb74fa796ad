"""CloudEvents 1.0 envelope carried as NATS message headers (binary mode: the body is the payload).

Header names: ``ce-id``, ``ce-type``, ``ce-source``, ``ce-time``, ``ce-specversion``, ``ce-subject``,
``ce-dataschema``, ``ce-datacontenttype`` plus ``correlation-id`` and ``causation-id``; and
``Nats-Msg-Id`` = event id, so JetStream drops a duplicate publish inside its window.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import msgspec

from canon import _checks
from canon.errors import ValidationError
from canon.ids import new_id

SPEC_VERSION = "1.0"
NATS_MSG_ID = "Nats-Msg-Id"

# Envelope field -> header name; the order is the order headers are written in.
HEADER_NAMES: dict[str, str] = {
    "id": "ce-id",
    "type": "ce-type",
    "source": "ce-source",
    "time": "ce-time",
    "specversion": "ce-specversion",
    "subject": "ce-subject",
    "dataschema": "ce-dataschema",
    "datacontenttype": "ce-datacontenttype",
    "correlation_id": "correlation-id",
    "causation_id": "causation-id",
}
_REQUIRED = ("id", "type", "source", "time", "specversion")


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """Who, what and when of one event; ``subject`` is the business key (e.g. the sku)."""

    id: str
    type: str
    source: str
    time: datetime
    subject: str | None = None
    dataschema: str | None = None
    specversion: str = SPEC_VERSION
    correlation_id: str | None = None
    causation_id: str | None = None
    datacontenttype: str = "application/json"

    def __post_init__(self) -> None:
        for field in ("id", "type", "source", "datacontenttype"):
            _checks.text(field, getattr(self, field))
        if self.specversion != SPEC_VERSION:
            raise ValidationError("specversion", f"only CloudEvents {SPEC_VERSION} is supported")
        _checks.utc_instant("time", self.time)
        for field in ("subject", "dataschema", "correlation_id", "causation_id"):
            value = getattr(self, field)
            if value is not None:
                _checks.text(field, value)

    @classmethod
    def new(
        cls,
        type: str,
        source: str,
        subject: str | None = None,
        id: str | None = None,
        correlation_id: str | None = None,
        causation: Envelope | None = None,
        time: datetime | None = None,
        dataschema: str | None = None,
    ) -> Envelope:
        """A new envelope; id defaults to a fresh UUIDv7 and time to now (UTC).

        The correlation id, unless given, is inherited from ``causation`` (its correlation id,
        else its id), so a whole chain of events shares one; an event with no cause starts a
        chain with its own id. ``causation_id`` is the causing event's id.
        """
        event_id = id if id is not None else new_id()
        if correlation_id is None:
            correlation_id = (causation.correlation_id or causation.id) if causation else event_id
        return cls(
            id=event_id,
            type=type,
            source=source,
            time=time if time is not None else datetime.now(UTC),
            subject=subject,
            dataschema=dataschema,
            correlation_id=correlation_id,
            causation_id=causation.id if causation else None,
        )

    def to_headers(self) -> dict[str, str]:
        """NATS headers for this envelope; absent optional attributes are left out."""
        headers: dict[str, str] = {}
        for field, header in HEADER_NAMES.items():
            value = getattr(self, field)
            if value is not None:
                headers[header] = format_time(value) if field == "time" else value
        headers[NATS_MSG_ID] = self.id
        return headers

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Envelope:
        """Read an envelope back; ValidationError names the missing or invalid header.

        Header names are matched case-insensitively (proxies and tools may change the case).
        """
        by_lower_name = {name.lower(): value for name, value in headers.items()}
        values: dict[str, object] = {}
        for field, header in HEADER_NAMES.items():
            value = by_lower_name.get(header)
            if value is None:
                if field in _REQUIRED:
                    raise ValidationError(header, "missing header")
                continue
            values[field] = parse_time(value) if field == "time" else value
        try:
            return cls(**values)  # type: ignore[arg-type]
        except ValidationError as error:
            raise ValidationError(HEADER_NAMES.get(error.field, error.field), error.reason) from None


def caused_by(
    parent: Envelope,
    type: str,
    source: str,
    subject: str | None = None,
    id: str | None = None,
    time: datetime | None = None,
    dataschema: str | None = None,
) -> Envelope:
    """An envelope for an event caused by ``parent``: same correlation id, causation = parent."""
    return Envelope.new(
        type, source, subject=subject, id=id, causation=parent, time=time, dataschema=dataschema
    )


def format_time(instant: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` suffix, e.g. ``2026-11-03T14:05:00.250000Z``."""
    _checks.utc_instant("time", instant)
    return instant.isoformat().replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    """Parse an RFC 3339 ``ce-time``; it must carry an offset, and is returned in UTC."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("ce-time", f"not an RFC 3339 timestamp: {value!r}") from None
    if instant.tzinfo is None:
        raise ValidationError("ce-time", f"timestamp has no UTC offset: {value!r}")
    return instant.astimezone(UTC)
