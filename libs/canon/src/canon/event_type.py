"""Event types and the catalogue of every event retail-sync publishes.

An :class:`EventType` ties a subject (``retail.<context>.<name>.v<N>``) to its msgspec payload
type, and encodes/decodes that payload strictly. Each module defining events registers them with
:func:`register`; the catalogue feeds the contracts check, AsyncAPI and consumers' decoders.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

from canon import _checks
from canon.envelope import Envelope
from canon.errors import DuplicateEventType, ValidationError

T = TypeVar("T", bound=msgspec.Struct)

_ENCODER = msgspec.json.Encoder()
_TYPE_OF_SUBJECT = re.compile(r"(retail\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*)(\..+)?")
_BAD_TOKEN_CHARS = frozenset(".*> \t\r\n")


@dataclass(frozen=True)
class EventType(Generic[T]):
    """One versioned event: where it is published and what its payload looks like."""

    context: str
    name: str
    version: int
    payload: type[T]
    description: str
    _decoder: msgspec.json.Decoder[T] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _checks.slug("context", self.context)
        _checks.slug("name", self.name)
        _checks.integer("version", self.version, minimum=1)
        if not (isinstance(self.payload, type) and issubclass(self.payload, msgspec.Struct)):
            raise ValidationError("payload", f"must be a msgspec.Struct type, got {self.payload!r}")
        _checks.text("description", self.description)
        object.__setattr__(self, "_decoder", msgspec.json.Decoder(self.payload))

    @property
    def subject(self) -> str:
        """The NATS subject, e.g. ``retail.master.item_upserted.v1``."""
        return f"retail.{self.context}.{self.name}.v{self.version}"

    @property
    def type(self) -> str:
        """The CloudEvents ``type``: the same string as the subject."""
        return self.subject

    @property
    def schema_path(self) -> str:
        """Where the JSON Schema lives under ``contracts/``."""
        return f"events/{self.context}/{self.name}.v{self.version}.schema.json"

    def subject_for(self, *partition_tokens: str) -> str:
        """The subject with partition tokens appended (per-key ordering), e.g. ``...v1.SKU1``."""
        for index, token in enumerate(partition_tokens):
            if not isinstance(token, str) or not token or _BAD_TOKEN_CHARS.intersection(token):
                raise ValidationError(f"partition_tokens[{index}]", f"not a valid subject token: {token!r}")
        return ".".join((self.subject, *partition_tokens))

    def json_schema(self) -> dict[str, Any]:
        return msgspec.json.schema(self.payload)

    def encode(self, payload: T) -> bytes:
        if not isinstance(payload, self.payload):
            raise ValidationError(
                "payload", f"{self.subject} carries {self.payload.__name__}, got {type(payload).__name__}"
            )
        return _ENCODER.encode(payload)

    def decode(self, data: bytes | str) -> T:
        """Strictly typed decode; ValidationError("payload", <msgspec's message and path>)."""
        try:
            return self._decoder.decode(data)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            raise ValidationError("payload", str(error)) from None

    def envelope(
        self,
        source: str,
        subject: str | None = None,
        id: str | None = None,
        causation: Envelope | None = None,
        time: datetime | None = None,
    ) -> Envelope:
        """A new envelope whose ``type`` is this event type (see :meth:`Envelope.new`)."""
        return Envelope.new(self.type, source, subject=subject, id=id, causation=causation, time=time)


CATALOGUE: dict[str, EventType[Any]] = {}
"""Every registered event type, keyed by subject."""

_all_modules_loaded = False


def register(event_type: EventType[T]) -> EventType[T]:
    """Add to the catalogue and return it; a second type with the same subject is an error."""
    if event_type.subject in CATALOGUE:
        raise DuplicateEventType(event_type.subject)
    CATALOGUE[event_type.subject] = event_type
    return event_type


def _load_all_canon_modules() -> None:
    """Import every canon module once, so the catalogue does not depend on import order."""
    global _all_modules_loaded
    if _all_modules_loaded:
        return
    import canon

    for module in pkgutil.walk_packages(canon.__path__, prefix="canon."):
        importlib.import_module(module.name)
    _all_modules_loaded = True


def all_event_types() -> list[EventType[Any]]:
    """Every event type defined in canon, sorted by subject."""
    _load_all_canon_modules()
    return [CATALOGUE[subject] for subject in sorted(CATALOGUE)]


def lookup(subject_or_type: str) -> EventType[Any]:
    """The event type for a CloudEvents type or a subject (partition tokens are ignored)."""
    match = _TYPE_OF_SUBJECT.fullmatch(subject_or_type) if isinstance(subject_or_type, str) else None
    if match is None:
        raise ValidationError("type", f"not an event subject: {subject_or_type!r}")
    if match.group(1) not in CATALOGUE:
        _load_all_canon_modules()
    try:
        return CATALOGUE[match.group(1)]
    except KeyError:
        raise ValidationError("type", f"unknown event type {match.group(1)!r}") from None
