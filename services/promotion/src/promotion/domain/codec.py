"""Decoding a promotion version from JSON, with errors that name the field like construction does."""

from __future__ import annotations

import re

import msgspec

from promotion.domain.errors import ValidationError
from promotion.domain.version import PromotionVersion

_PATH = re.compile(r"^(?P<reason>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_DOMAIN_REASON = re.compile(r"^(?P<field>[\w.\[\]]+): (?P<reason>.*)$", re.DOTALL)
"""A ValidationError raised by a value object while decoding: it already names the full field."""
_DECODER = msgspec.json.Decoder(PromotionVersion)


def decode_promotion_version(data: bytes | str) -> PromotionVersion:
    """JSON -> PromotionVersion; a bad value raises ValidationError naming its path (``mechanic.kind``)."""
    try:
        return _DECODER.decode(data)
    except ValidationError:
        raise
    except msgspec.ValidationError as error:
        match = _PATH.match(str(error))
        assert match is not None
        path = (match.group("path") or "").lstrip(".") or "$"
        reason = match.group("reason")
        domain = _DOMAIN_REASON.match(reason)
        if domain is not None:
            raise ValidationError(domain.group("field"), domain.group("reason")) from None
        if path == "mechanic.kind":
            reason = reason.replace("Invalid value", "unknown mechanic")
        raise ValidationError(path, reason) from None
    except msgspec.DecodeError as error:
        raise ValidationError("$", f"not valid JSON: {error}") from None


def encode_promotion_version(version: PromotionVersion) -> bytes:
    """Canonical JSON (sorted keys and sets): equal versions encode to equal bytes."""
    return msgspec.json.encode(version, order="sorted")
