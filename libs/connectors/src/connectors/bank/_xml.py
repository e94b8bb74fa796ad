"""Safe XML reading for bank files, keeping each element's source line for error messages.

defusedxml refuses DTD entity declarations and external references, so a billion-laughs or
external-entity payload is rejected before any expansion; that and any syntax error become a
ParseError naming the line.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from typing import Any

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from connectors._parsing import ProblemLog


class _LineTrackingBuilder(ElementTree.TreeBuilder):
    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None
        self.lines: dict[ElementTree.Element, int] = {}

    def start(self, tag: Any, attrs: Any) -> ElementTree.Element:
        element = super().start(tag, attrs)
        self.lines[element] = self.expat.CurrentLineNumber if self.expat is not None else 0
        return element


def parse_xml(content: bytes, log: ProblemLog) -> tuple[ElementTree.Element, dict[ElementTree.Element, int]]:
    """The root element and a map element -> 1-based line, or a ParseError."""
    builder = _LineTrackingBuilder()
    parser = SafeElementTree.DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True)
    builder.expat = parser.parser
    try:
        parser.feed(content)
        root = parser.close()
    except DefusedXmlException as error:
        raise log.fail(builder.expat.CurrentLineNumber, None, f"unsafe XML refused: {error}") from None
    except ElementTree.ParseError as error:
        raise log.fail(error.position[0], None, f"malformed XML: {error}") from None
    except (LookupError, ValueError) as error:  # e.g. an unknown encoding in the XML declaration
        raise log.fail(1, None, f"unreadable XML: {error}") from None
    return root, builder.lines


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def text_at(element: ElementTree.Element, path: str) -> str:
    found = element.find(path)
    return clean(found.text) if found is not None else ""


def attribute_at(element: ElementTree.Element, path: str, name: str) -> str:
    found = element.find(path)
    return (found.get(name) or "").strip() if found is not None else ""


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))
