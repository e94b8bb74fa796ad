"""Turn one raw movement record (JSON bytes or a mapping) into a Movement, or say which field is wrong.

msgspec reports structural problems with a path (``- at `$.qty` ``) or a missing field name; a rule
broken in a movement's ``__post_init__`` arrives as the cause. Both become ``ValidationError(field,
reason)`` so a batch can report each bad record by field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, get_args

import msgspec
from canon.errors import ValidationError

from inventory.domain.movements import Movement

_MOVEMENT_TYPES: tuple[type[Any], ...] = get_args(Movement)
_KNOWN_TYPES = sorted(str(t.__struct_config__.tag) for t in _MOVEMENT_TYPES)
_DECODER = msgspec.json.Decoder(Movement)
_PATH = re.compile(r"^(?P<reason>.*) - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"missing required field `(?P<field>[^`]+)`")


def decode_movement(record: bytes | str | Mapping[str, Any] | Movement) -> Movement:
    """The typed movement for ``record``; ValidationError naming the field otherwise."""
    if isinstance(record, _MOVEMENT_TYPES):
        return record
    try:
        if isinstance(record, bytes | str):
            return _DECODER.decode(record)
        if not isinstance(record, Mapping):
            raise ValidationError("record", f"expected a JSON object, got {type(record).__name__}")
        return msgspec.convert(dict(record), Movement)
    except msgspec.ValidationError as error:
        raise field_error(error) from None
    except msgspec.DecodeError as error:
        raise ValidationError("record", f"not valid JSON: {error}") from None


def field_error(error: msgspec.ValidationError) -> ValidationError:
    """msgspec's message as a ValidationError naming the field (a rule's own error passes through)."""
    if isinstance(error.__cause__, ValidationError):
        return error.__cause__
    message = str(error)
    if match := _MISSING.search(message):
        return ValidationError(match["field"], "is required")
    if match := _PATH.match(message):
        field = match["path"].lstrip(".") or "record"
        if field == "type":
            return ValidationError(
                "type", f"unknown movement type; expected one of {', '.join(_KNOWN_TYPES)}"
            )
        return ValidationError(field, match["reason"])
    return ValidationError("record", message)
