"""Recognise a bank statement format from its first bytes (the file name is only a tie-breaker)."""

from __future__ import annotations

import re

from canon.bank import BankStatement

from connectors._parsing import ProblemLog
from connectors.bank.bai2 import parse_bai2
from connectors.bank.camt053 import parse_camt053
from connectors.bank.mt940 import parse_mt940

_MT940_TAGS = re.compile(rb"^:(20|25|60F|61):", re.MULTILINE)


def sniff_bank_format(content: bytes, filename: str | None = None) -> str | None:
    """'camt053', 'bai2', 'mt940', or None when unrecognised."""
    head = content[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt053" if b"camt.053" in head else None
    if head.startswith(b"01,"):
        return "bai2"
    if len(set(_MT940_TAGS.findall(head))) >= 2:
        return "mt940"
    name = (filename or "").lower()
    if name.endswith((".sta", ".940", ".mt940")) and b":20:" in head:
        return "mt940"
    return None


def detect_and_parse(content: bytes, filename: str | None = None) -> list[BankStatement]:
    """Parse a bank statement file of any supported format; ParseError if none fits."""
    parsers = {"camt053": parse_camt053, "bai2": parse_bai2, "mt940": parse_mt940}
    source = sniff_bank_format(content, filename)
    if source is None:
        raise ProblemLog(filename).fail(1, None, "not a recognised bank statement (camt.053, BAI2, MT940)")
    return parsers[source](content, filename=filename)
