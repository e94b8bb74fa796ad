"""MT940 field 86 (information to account owner): description, references and counterparty.

German banks (DFÜ/DK format) structure it as a 3-digit GVC code then ?NN subfields: ?00 booking
text, ?20-?29 and ?60-?63 purpose, ?30 bank code/BIC, ?31 account/IBAN, ?32-?33 name; the purpose
carries SEPA tags (EREF+ end-to-end id, KREF+ customer ref, MREF+ mandate, SVWZ+ remittance).
Other banks write free text. Continuation lines are joined without a break in structured text
(subfields are delimited) and in free text where the line was full (65 characters).
"""

from __future__ import annotations

import itertools
import re

import msgspec

_STRUCTURED = re.compile(r"(\d{3})?\?\d{2}")
_SUBFIELD = re.compile(r"\?(\d{2})")
_SEPA_TAG = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT)\+")
_PURPOSE_KEYS = [f"{n}" for n in range(20, 30)] + [f"{n}" for n in range(60, 64)]
_FULL_LINE = 65


class Details(msgspec.Struct, frozen=True, kw_only=True):
    description: str
    counterparty: str | None = None
    end_to_end_id: str | None = None
    customer_reference: str | None = None
    raw: dict[str, str] = msgspec.field(default_factory=dict)


def join_lines(lines: list[str]) -> str:
    if not lines:
        return ""
    structured = bool(_STRUCTURED.match(lines[0]))
    text = lines[0]
    for previous, line in itertools.pairwise(lines):
        glue = "" if structured or len(previous) >= _FULL_LINE else " "
        text += glue + line
    return text


def parse_details(lines: list[str]) -> Details:
    text = join_lines(lines)
    match = _STRUCTURED.match(text)
    if not match:
        return Details(description=_squash(text), raw={"86": text})
    parts = _SUBFIELD.split(text[len(match.group(1) or "") :])
    subfields: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=False):
        subfields[key] = subfields.get(key, "") + value
    purpose = "".join(subfields.get(key, "") for key in _PURPOSE_KEYS)
    tags = _sepa_tags(purpose)
    name = _squash(subfields.get("32", "") + subfields.get("33", ""))  # one name split over two
    description = tags.get("SVWZ") or _squash(purpose)
    raw = {"86": text, "gvc": match.group(1) or ""} | {f"?{key}": value for key, value in subfields.items()}
    return Details(
        description=description or _squash(subfields.get("00", "")),
        counterparty=name or None,
        end_to_end_id=_meaningful(tags.get("EREF")),
        customer_reference=_meaningful(tags.get("KREF")),
        raw=raw | {f"sepa:{tag}": value for tag, value in tags.items()},
    )


def _sepa_tags(purpose: str) -> dict[str, str]:
    pieces = _SEPA_TAG.split(purpose)
    return {tag: _squash(value) for tag, value in zip(pieces[1::2], pieces[2::2], strict=False)}


def _meaningful(value: str | None) -> str | None:
    return value if value and value.upper() not in ("NOTPROVIDED", "NONREF") else None


def _squash(text: str) -> str:
    return " ".join(text.split())
