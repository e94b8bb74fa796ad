"""Safe XML loading and namespace-aware element access for POSLog documents."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XmlSyntaxError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from connectors.sales._reading import Problems

ARTS = "http://www.nrf-arts.org/IXRetail/namespace/"
ACS = "http://www.ncr.com/rsd/acs/tlog/markup/poslog/2.1"


def load(content: bytes, problems: Problems) -> Element:
    """Parse with DTDs, entity declarations and external references refused (billion laughs, XXE)."""
    try:
        return fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise problems.error(None, f"unsafe XML refused: {error}") from None
    except XmlSyntaxError as error:
        raise problems.error(None, f"not well-formed XML: {error}") from None
    except (LookupError, ValueError) as error:  # e.g. an unknown encoding in the XML declaration
        raise problems.error(None, f"unreadable XML: {error}") from None


@dataclass(frozen=True)
class Names:
    """Qualified tag and attribute names; the ARTS namespace is the root's (or none)."""

    arts: str

    @classmethod
    def of(cls, root: Element) -> Names:
        return cls(arts=root.tag[1:].split("}")[0] if root.tag.startswith("{") else "")

    def tag(self, name: str) -> str:
        return f"{{{self.arts}}}{name}" if self.arts else name

    @staticmethod
    def acs(name: str) -> str:
        return f"{{{ACS}}}{name}"

    def local(self, element: Element) -> str:
        return self.local_name(element.tag)

    @staticmethod
    def local_name(tag: str) -> str:
        """``{ns}Amount`` -> ``Amount`` (ACS tags keep an ``acs:`` prefix, as in the file)."""
        if tag.startswith(f"{{{ACS}}}"):
            return "acs:" + tag.rsplit("}", 1)[-1]
        return tag.rsplit("}", 1)[-1]

    def find(self, element: Element, *path: str) -> Element | None:
        found: Element | None = element
        for name in path:
            found = (
                found.find(name if name.startswith("{") else self.tag(name)) if found is not None else None
            )
        return found

    def text(self, element: Element, *path: str) -> str | None:
        found = self.find(element, *path)
        if found is None or found.text is None or not found.text.strip():
            return None
        return found.text.strip()
