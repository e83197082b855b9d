"""The one XML parser for untrusted files: defusedxml, DTDs forbidden, bounded size and depth.

:func:`parse_xml` is used by every XML reader in the package (REFI-QDA codebooks
and projects, the SOA tables shipped by ``pymort``). A document that declares a
DTD (``<!DOCTYPE``, where entity bombs and external entities live), defines
entities, refers to external resources, is larger than ``max_bytes`` or nests
elements deeper than ``max_depth`` is refused with a :class:`foresight.DataError`
naming the file, the line and the column, before any of it reaches the caller.
:func:`check_vocabulary` then checks a parsed tree against a table of the
allowed elements and attributes, so that misspelled or extra elements are
refused rather than ignored.
"""

from __future__ import annotations

from typing import Mapping
from xml.etree import ElementTree as ET

import defusedxml
import defusedxml.ElementTree as DET

from foresight.errors import DataError

__all__ = ["MAX_XML_BYTES", "MAX_XML_DEPTH", "Vocabulary", "check_vocabulary", "parse_xml"]

#: Default cap on the size of an XML document (bytes).
MAX_XML_BYTES = 50_000_000
#: Default cap on the nesting depth of elements.
MAX_XML_DEPTH = 100

#: Namespaces whose attributes any element may carry (``xsi:schemaLocation``, ``xml:lang``).
_ANY_ELEMENT_ATTR_NS = ("{http://www.w3.org/2001/XMLSchema-instance}",
                        "{http://www.w3.org/XML/1998/namespace}")


class _TooDeep(Exception):
    pass


class _DepthLimitedBuilder(ET.TreeBuilder):
    """A tree builder that stops at ``max_depth`` nested elements."""

    def __init__(self, max_depth: int) -> None:
        super().__init__()
        self._depth = 0
        self._max_depth = max_depth

    def start(self, tag, attrs):  # noqa: D102 - ElementTree hook
        self._depth += 1
        if self._depth > self._max_depth:
            raise _TooDeep()
        return super().start(tag, attrs)

    def end(self, tag):  # noqa: D102 - ElementTree hook
        self._depth -= 1
        return super().end(tag)


def _where(parser) -> tuple[int | None, str | None]:
    expat = getattr(parser, "parser", None)
    if expat is None:
        return None, None
    return expat.CurrentLineNumber, str(expat.CurrentColumnNumber + 1)


def parse_xml(
    data: bytes,
    label: str,
    *,
    max_bytes: int = MAX_XML_BYTES,
    max_depth: int = MAX_XML_DEPTH,
    expected: str = "well-formed XML",
) -> ET.Element:
    """Parse untrusted XML bytes into an element tree.

    Parameters
    ----------
    data
        The document.
    label
        Name for the document in error messages.
    max_bytes, max_depth
        Largest document and deepest element nesting accepted.
    expected
        What the document should be, for messages.

    Returns
    -------
    xml.etree.ElementTree.Element
        The root element.

    Raises
    ------
    DataError
        Too large, too deep, a DTD, entity declarations, external references,
        or malformed XML; with the line and column where known.
    """
    if len(data) > max_bytes:
        raise DataError(f"the XML document is {len(data)} bytes", file=label,
                        expected=f"at most {max_bytes} bytes")
    parser = DET.DefusedXMLParser(target=_DepthLimitedBuilder(max_depth), forbid_dtd=True,
                                  forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        return parser.close()
    except _TooDeep:
        line, col = _where(parser)
        raise DataError(f"elements are nested more than {max_depth} deep", file=label,
                        row=line, column=col, expected=f"{expected}, at most {max_depth} levels"
                        ) from None
    except defusedxml.DTDForbidden:
        line, col = _where(parser)
        raise DataError("the XML declares a DTD, which could define entity bombs or external "
                        "entities; refused", file=label, row=line, column=col,
                        expected=f"{expected} without a DOCTYPE") from None
    except defusedxml.EntitiesForbidden:
        line, col = _where(parser)
        raise DataError("the XML defines entities (possible entity-expansion bomb); refused",
                        file=label, row=line, column=col,
                        expected=f"{expected} without entity declarations") from None
    except defusedxml.ExternalReferenceForbidden:
        line, col = _where(parser)
        raise DataError("the XML refers to an external resource; refused", file=label,
                        row=line, column=col, expected=f"self-contained {expected}") from None
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (None, None))
        raise DataError(f"malformed XML ({getattr(exc, 'msg', None) or exc})", file=label,
                        row=line, column=None if col is None else str(col + 1),
                        expected=expected) from None


#: element name -> (allowed children: name -> how many at most, None = any number;
#: allowed attributes)
Vocabulary = Mapping[str, tuple[Mapping[str, "int | None"], frozenset]]


def _local(tag: str, ns: str) -> str | None:
    prefix = "{" + ns + "}"
    return tag[len(prefix):] if isinstance(tag, str) and tag.startswith(prefix) else None


def check_vocabulary(root: ET.Element, ns: str, vocabulary: Vocabulary, label: str) -> None:
    """Check every element and attribute under ``root`` against ``vocabulary``.

    Every element must be in namespace ``ns``, be an allowed child of its
    parent, appear no more often than allowed, and carry only allowed
    attributes (plus ``xsi:*`` and ``xml:*``).

    Raises
    ------
    DataError
        Naming the element by its path (``Sources/TextSource[2]/Coding[1]``)
        and listing the allowed names.
    """
    stack = [(root, _local(root.tag, ns) or str(root.tag))]
    while stack:
        el, path = stack.pop()
        name = _local(el.tag, ns)
        children, attributes = vocabulary[name]  # the caller checked the root
        for key in el.attrib:
            if key not in attributes and not key.startswith(_ANY_ELEMENT_ATTR_NS):
                raise DataError(f"unknown attribute {key!r} on {name}", file=label, row=path,
                                row_label="element", column=key,
                                expected="one of " + (", ".join(sorted(attributes)) or
                                                      "no attributes"))
        counts: dict[str, int] = {}
        for child in el:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions
            child_name = _local(child.tag, ns)
            if child_name is None or child_name not in children:
                shown = child_name or child.tag
                raise DataError(f"unknown element {shown!r} in {name}", file=label, row=path,
                                row_label="element",
                                expected=f"in namespace {ns}, one of "
                                         + (", ".join(children) or "no child elements"))
            counts[child_name] = counts.get(child_name, 0) + 1
            most = children[child_name]
            if most is not None and counts[child_name] > most:
                raise DataError(f"{name} has more than {most} {child_name} element"
                                + ("s" if most > 1 else ""), file=label,
                                row=f"{path}/{child_name}[{counts[child_name]}]",
                                row_label="element", expected=f"at most {most}")
            stack.append((child, f"{path}/{child_name}[{counts[child_name]}]"))
