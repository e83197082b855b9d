"""Exchange with qualitative-analysis software through the REFI-QDA standard.

REFI-QDA (the Rotterdam Exchange Format Initiative, www.qdasoftware.org) defines two
XML formats that NVivo, ATLAS.ti, MAXQDA, QualCoder and others read and write:

* a **codebook** ``.qdc``: root ``CodeBook`` in namespace ``urn:QDA-XML:codebook:1.0``
  with ``Codes/Code`` elements (attributes ``guid``, ``name``, ``isCodable``, optional
  ``color``; child ``Description``; children ``Code`` for sub-codes);
* a **project** ``.qdpx``: a ZIP archive holding ``project.qde`` (root ``Project`` in
  namespace ``urn:QDA-XML:project:1.0``, with ``CodeBook``, ``Cases/Case`` (``CodeRef``,
  ``SourceRef``), ``Sources/TextSource`` whose ``PlainTextSelection`` elements carry
  ``Coding/CodeRef``) and the source files under ``sources/``.

Files from elsewhere are untrusted. Files are read through the input layer of
:mod:`foresight.data`: a bounded read of a regular file; XML through
:func:`foresight.data.xmlsafe.parse_xml` (:mod:`defusedxml`, DTDs forbidden, so
entity-expansion bombs and external entities are rejected; bounded depth); ZIP archives
through :func:`foresight.data.archive.open_zip` (member count and central-directory size
checked before the directory is parsed; path traversal, symbolic links, size and
compression ratio checked *before* anything is read; bounded reads). Then the REFI-QDA
schema (Project-mrt2019.xsd, Codebook.xsd) is enforced where it matters for what is read:
unknown or repeated elements and unknown attributes are refused with the allowed names,
GUIDs of codes, sources, selections and cases must be unique, ``internal://`` paths must
name a member of the archive, and codings this reader cannot represent (of a whole source,
or of a picture, PDF, audio or video) are refused rather than dropped. Every problem
raises :class:`foresight.DataError` naming the file, the element or member, and what was
expected.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Iterable, Sequence
from xml.etree import ElementTree as ET

import pandas as pd

from foresight.data.archive import DEFAULT_LIMITS, Limits, open_zip, read_member, safe_member_name
from foresight.data.files import read_bytes
from foresight.data.xmlsafe import check_vocabulary, parse_xml
from foresight.errors import DataError

__all__ = [
    "CODEBOOK_NS", "PROJECT_NS", "Code", "Limits", "Project", "Case", "Selection",
    "read_qdc", "parse_qdc", "write_qdc", "read_qdpx", "write_qdpx", "code_guid",
]

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Namespace for the compendium's deterministic GUIDs (uuid5 of a study id).
GUID_NAMESPACE = uuid.UUID("5b0e6a47-3c1d-4f0e-9b7a-2f6c1d8e4a90")


def code_guid(key: str) -> str:
    """Deterministic REFI-QDA GUID (upper-case uuid5) for a study id such as ``"T3"``."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"foresight.careers:{key}")).upper()


@dataclass(frozen=True)
class Code:
    """One code of a codebook.

    ``parent`` is the GUID of the enclosing code (``None`` for a top-level code);
    ``is_codable`` False marks a grouping code that is not applied to data.
    ``color`` is ``#RRGGBB`` or ``None``; ``description`` is plain text or ``None``.
    """

    guid: str
    name: str
    is_codable: bool = True
    color: str | None = None
    description: str | None = None
    parent: str | None = None


# --------------------------------------------------------------------------- vocabularies
_USER_ATTRS = ("creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime")
_TEXT_ATTRS = frozenset(("guid", "name", "richTextPath", "plainTextPath", *_USER_ATTRS))
_MEDIA_ATTRS = frozenset(("guid", "name", "path", "currentPath", *_USER_ATTRS))
_REF = ({}, frozenset(("targetGUID",)))
_LEAF = ({}, frozenset())
_ANY = None
_TEXT_SOURCE = ({"Description": 1, "PlainTextContent": 1, "PlainTextSelection": _ANY,
                 "Coding": _ANY, "NoteRef": _ANY, "VariableValue": _ANY}, _TEXT_ATTRS)
_SELECTION_CHILDREN = {"Description": 1, "Coding": _ANY, "NoteRef": _ANY}

#: Elements and attributes of REFI-QDA projects (Project-mrt2019.xsd, REFI-QDA 1.5).
PROJECT_VOCABULARY = {
    "Project": ({"Users": 1, "CodeBook": 1, "Variables": 1, "Cases": 1, "Sources": 1,
                 "Notes": 1, "Links": 1, "Sets": 1, "Graphs": 1, "Description": 1,
                 "NoteRef": _ANY},
                frozenset(("name", "origin", "creatingUserGUID", "creationDateTime",
                           "modifyingUserGUID", "modifiedDateTime", "basePath"))),
    "Users": ({"User": _ANY}, frozenset()),
    "User": ({}, frozenset(("guid", "name", "id"))),
    "CodeBook": ({"Codes": 1}, frozenset()),
    "Codes": ({"Code": _ANY}, frozenset()),
    "Code": ({"Description": 1, "NoteRef": _ANY, "Code": _ANY},
             frozenset(("guid", "name", "isCodable", "color"))),
    "Variables": ({"Variable": _ANY}, frozenset()),
    "Variable": ({"Description": 1}, frozenset(("guid", "name", "typeOfVariable"))),
    "VariableValue": ({"VariableRef": 1, "TextValue": 1, "BooleanValue": 1, "IntegerValue": 1,
                       "FloatValue": 1, "DateValue": 1, "DateTimeValue": 1}, frozenset()),
    "Cases": ({"Case": _ANY}, frozenset()),
    "Case": ({"Description": 1, "CodeRef": _ANY, "VariableValue": _ANY, "SourceRef": _ANY,
              "SelectionRef": _ANY}, frozenset(("guid", "name"))),
    "Sources": ({"TextSource": _ANY, "PictureSource": _ANY, "PDFSource": _ANY,
                 "AudioSource": _ANY, "VideoSource": _ANY}, frozenset()),
    "TextSource": _TEXT_SOURCE,
    "TextDescription": _TEXT_SOURCE,
    "Representation": _TEXT_SOURCE,
    "Note": _TEXT_SOURCE,
    "PlainTextSelection": (_SELECTION_CHILDREN,
                           frozenset(("guid", "name", "startPosition", "endPosition",
                                      *_USER_ATTRS))),
    "PictureSource": ({"Description": 1, "TextDescription": 1, "PictureSelection": _ANY,
                       "Coding": _ANY, "NoteRef": _ANY, "VariableValue": _ANY}, _MEDIA_ATTRS),
    "PictureSelection": (_SELECTION_CHILDREN,
                         frozenset(("guid", "name", "firstX", "firstY", "secondX", "secondY",
                                    *_USER_ATTRS))),
    "PDFSource": ({"Description": 1, "PDFSelection": _ANY, "Representation": 1,
                   "Coding": _ANY, "NoteRef": _ANY, "VariableValue": _ANY}, _MEDIA_ATTRS),
    "PDFSelection": ({"Description": 1, "Representation": 1, "Coding": _ANY, "NoteRef": _ANY},
                     frozenset(("guid", "name", "page", "firstX", "firstY", "secondX",
                                "secondY", *_USER_ATTRS))),
    "AudioSource": ({"Description": 1, "Transcript": _ANY, "AudioSelection": _ANY,
                     "Coding": _ANY, "NoteRef": _ANY, "VariableValue": _ANY}, _MEDIA_ATTRS),
    "VideoSource": ({"Description": 1, "Transcript": _ANY, "VideoSelection": _ANY,
                     "Coding": _ANY, "NoteRef": _ANY, "VariableValue": _ANY}, _MEDIA_ATTRS),
    "AudioSelection": (_SELECTION_CHILDREN,
                       frozenset(("guid", "name", "begin", "end", *_USER_ATTRS))),
    "VideoSelection": (_SELECTION_CHILDREN,
                       frozenset(("guid", "name", "begin", "end", *_USER_ATTRS))),
    "Transcript": ({"Description": 1, "PlainTextContent": 1, "SyncPoint": _ANY,
                    "TranscriptSelection": _ANY, "NoteRef": _ANY}, _TEXT_ATTRS),
    "SyncPoint": ({}, frozenset(("guid", "timeStamp", "position"))),
    "TranscriptSelection": (_SELECTION_CHILDREN,
                            frozenset(("guid", "name", "fromSyncPoint", "toSyncPoint",
                                       *_USER_ATTRS))),
    "Coding": ({"CodeRef": 1, "NoteRef": _ANY},
               frozenset(("guid", "creatingUser", "creationDateTime"))),
    "Notes": ({"Note": _ANY}, frozenset()),
    "Links": ({"Link": _ANY}, frozenset()),
    "Link": ({"NoteRef": _ANY}, frozenset(("guid", "name", "direction", "color", "originGUID",
                                           "targetGUID"))),
    "Sets": ({"Set": _ANY}, frozenset()),
    "Set": ({"Description": 1, "MemberCode": _ANY, "MemberSource": _ANY, "MemberNote": _ANY},
            frozenset(("guid", "name"))),
    "Graphs": ({"Graph": _ANY}, frozenset()),
    "Graph": ({"Vertex": _ANY, "Edge": _ANY}, frozenset(("guid", "name"))),
    "Vertex": ({}, frozenset(("guid", "representedGUID", "name", "firstX", "firstY",
                              "secondX", "secondY", "shape", "color"))),
    "Edge": ({}, frozenset(("guid", "representedGUID", "name", "sourceVertex", "targetVertex",
                            "color", "direction", "lineStyle"))),
    **{name: _REF for name in ("CodeRef", "SourceRef", "SelectionRef", "NoteRef",
                               "VariableRef", "MemberCode", "MemberSource", "MemberNote")},
    **{name: _LEAF for name in ("Description", "PlainTextContent", "TextValue",
                                "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
                                "DateTimeValue")},
}

#: Elements and attributes of REFI-QDA codebooks (Codebook.xsd).
CODEBOOK_VOCABULARY = {
    "CodeBook": ({"Codes": 1, "Sets": 1}, frozenset(("origin",))),
    "Codes": ({"Code": _ANY}, frozenset()),
    "Code": ({"Description": 1, "Code": _ANY},
             frozenset(("guid", "name", "isCodable", "color"))),
    "Sets": ({"Set": _ANY}, frozenset()),
    "Set": ({"Description": 1, "MemberCode": _ANY}, frozenset(("guid", "name"))),
    "MemberCode": ({}, frozenset(("guid",))),
    "Description": _LEAF,
}

#: Source elements whose codings this reader does not represent.
_MEDIA_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_POSITION = re.compile(r"^[0-9]{1,10}$")


# --------------------------------------------------------------------------- XML parsing
def _parse_xml(data: bytes, label: str, limits: Limits = DEFAULT_LIMITS) -> ET.Element:
    return parse_xml(data, label, max_bytes=limits.max_xml_bytes,
                     max_depth=limits.max_xml_depth, expected="REFI-QDA XML")


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _attr_bool(el: ET.Element, name: str, label: str, where: str) -> bool:
    raw = el.get(name)
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0"):
        return False
    raise DataError(f"attribute {name}={raw!r} is not a boolean", file=label, row=where,
                    row_label="element", column=name, expected="true or false")


def _code(c: ET.Element, ns: str, label: str, where: str, parent: str | None,
          seen: set[str]) -> Code:
    """One ``Code`` element, checked (GUID well formed and unused, name, isCodable, colour)."""
    guid = c.get("guid") or ""
    if not _GUID.match(guid):
        raise DataError(f"code guid {guid!r} is not a GUID", file=label, row=where,
                        row_label="element", column="guid",
                        expected="8-4-4-4-12 hexadecimal digits")
    if guid.upper() in seen:
        raise DataError(f"code guid {guid} is used twice", file=label, row=where,
                        row_label="element", column="guid", expected="unique GUIDs")
    seen.add(guid.upper())
    name = c.get("name")
    if not name or not name.strip():
        raise DataError("code has no name", file=label, row=where, row_label="element",
                        column="name", expected="a non-empty name")
    codable = _attr_bool(c, "isCodable", label, where)
    colour = c.get("color")
    if colour is not None and not _COLOUR.match(colour):
        raise DataError(f"colour {colour!r} is not #RRGGBB", file=label, row=where,
                        row_label="element", column="color", expected="#RRGGBB")
    d = c.find(_q(ns, "Description"))
    return Code(guid, name, codable, colour, None if d is None else (d.text or ""), parent)


def _codes_from(parent_el: ET.Element, ns: str, label: str) -> list[Code]:
    """Depth-first list of codes below a ``Codes`` element (parents before children)."""
    out: list[Code] = []
    seen: set[str] = set()
    todo = [(parent_el, None, "Codes")]  # iterative: nesting depth is the file's choice
    while todo:
        el, parent, path = todo.pop()
        if el is not parent_el:
            code = _code(el, ns, label, path, parent, seen)
            out.append(code)
            parent = code.guid
        children = el.findall(_q(ns, "Code"))
        todo.extend((c, parent, f"{path}/Code[{i + 1}]")
                    for i, c in reversed(list(enumerate(children))))
    return out


def parse_qdc(data: bytes, label: str = "<codebook>", limits: Limits = DEFAULT_LIMITS) -> list[Code]:
    """Parse REFI-QDA codebook bytes into a list of :class:`Code` (see :func:`read_qdc`)."""
    root = _parse_xml(data, label, limits)
    if root.tag != _q(CODEBOOK_NS, "CodeBook"):
        raise DataError(f"root element is {root.tag!r}", file=label, row_label="element",
                        row="root", expected=f"CodeBook in namespace {CODEBOOK_NS}")
    codes_el = root.find(_q(CODEBOOK_NS, "Codes"))
    if codes_el is None:
        raise DataError("no Codes element", file=label, expected="CodeBook/Codes")
    check_vocabulary(root, CODEBOOK_NS, CODEBOOK_VOCABULARY, label)
    return _codes_from(codes_el, CODEBOOK_NS, label)


def read_qdc(path: str | PathLike[str], limits: Limits = DEFAULT_LIMITS) -> list[Code]:
    """Read a REFI-QDA codebook (``.qdc``).

    The file is read with a bounded read (at most ``limits.max_xml_bytes``, regular
    files only) and parsed by :func:`parse_qdc`.

    Returns
    -------
    list of Code
        Depth first, in document order; ``parent`` links rebuild the hierarchy.

    Raises
    ------
    DataError
        Unreadable file, XML refused by :func:`foresight.data.xmlsafe.parse_xml`,
        wrong root, unknown elements or attributes, bad or duplicate GUIDs.
    """
    label = str(path)
    data = read_bytes(path, label=label, expected="a REFI-QDA codebook (.qdc)",
                      max_bytes=limits.max_xml_bytes)
    return parse_qdc(data, label, limits)


def _code_elements(parent: ET.Element, codes: Sequence[Code], ns: str) -> None:
    children: dict[str | None, list[Code]] = {}
    guids = {c.guid for c in codes}
    for c in codes:
        if c.parent is not None and c.parent not in guids:
            raise DataError(f"code {c.name!r} has unknown parent {c.parent}", column="parent")
        children.setdefault(c.parent, []).append(c)

    def emit(el: ET.Element, parent: str | None) -> None:
        for c in children.get(parent, []):
            attrs = {"guid": c.guid, "name": c.name, "isCodable": "true" if c.is_codable else "false"}
            if c.color is not None:
                attrs["color"] = c.color
            ce = ET.SubElement(el, "Code", attrs)
            if c.description is not None:
                ET.SubElement(ce, "Description").text = c.description
            emit(ce, c.guid)

    emit(parent, None)


def _to_bytes(root: ET.Element, ns: str) -> bytes:
    root.set("xmlns", ns)  # elements are built unqualified; declare the default namespace
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def write_qdc(codes: Sequence[Code], path: str | PathLike[str] | None = None,
              origin: str = "foresight compendium") -> bytes:
    """Serialise codes as a REFI-QDA codebook; write to ``path`` if given; return the bytes.

    Hierarchy follows ``Code.parent``; sibling order is the order in ``codes``.
    """
    root = ET.Element("CodeBook", {"origin": origin})
    _code_elements(ET.SubElement(root, "Codes"), codes, CODEBOOK_NS)
    data = _to_bytes(root, CODEBOOK_NS)
    if path is not None:
        Path(path).write_bytes(data)
    return data


# --------------------------------------------------------------------------- projects
@dataclass(frozen=True)
class Selection:
    """A coded stretch of a text source: characters ``[start, end)`` and the codes applied."""

    guid: str
    source: str
    start: int
    end: int
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """A case (here: one participant) with case-level codes, its sources, and any
    individual selections linked to it (``SelectionRef``)."""

    guid: str
    name: str
    codes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    selections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    """What :func:`read_qdpx` extracts from a REFI-QDA project."""

    name: str
    codes: tuple[Code, ...]
    cases: tuple[Case, ...]
    sources: dict[str, str]  # guid -> name
    selections: tuple[Selection, ...]
    label: str = "<project>"

    @property
    def codings(self) -> pd.DataFrame:
        """One row per (selection, code): ``source, selection, start, end, code``."""
        rows = [(s.source, s.guid, s.start, s.end, c) for s in self.selections for c in s.codes]
        return pd.DataFrame(rows, columns=["source", "selection", "start", "end", "code"])

    def case_codes(self) -> pd.DataFrame:
        """Every code attached to each case, directly, through its sources' codings or
        through linked selections: columns ``case, case_name, code`` (one row per distinct
        pair, sorted)."""
        names = pd.DataFrame([(c.guid, c.name) for c in self.cases], columns=["case", "case_name"])
        direct = pd.DataFrame([(c.guid, code) for c in self.cases for code in c.codes],
                              columns=["case", "code"])
        links = pd.DataFrame([(c.guid, s) for c in self.cases for s in c.sources],
                             columns=["case", "source"])
        coded = self.codings[["source", "code"]].drop_duplicates()
        via = links.merge(coded, on="source")[["case", "code"]]
        sel_links = pd.DataFrame([(c.guid, s) for c in self.cases for s in c.selections],
                                 columns=["case", "selection"])
        via_sel = sel_links.merge(self.codings[["selection", "code"]], on="selection")
        out = pd.concat([direct, via, via_sel[["case", "code"]]],
                        ignore_index=True).drop_duplicates()
        out = out.merge(names, on="case")[["case", "case_name", "code"]]
        return out.sort_values(["case", "case_name", "code"]).reset_index(drop=True)


def read_qdpx(path: str | PathLike[str] | io.BytesIO, limits: Limits = DEFAULT_LIMITS,
              label: str | None = None) -> Project:
    """Import a REFI-QDA project archive (``.qdpx``).

    Reads ``project.qde`` only (source documents under ``sources/`` are checked but not
    read). Extracts the codebook, the cases with their case-level codes and sources,
    and every ``PlainTextSelection`` of every ``TextSource`` with its codings.

    Raises
    ------
    DataError
        Not a regular file or too large; not a ZIP; too many members or too large a
        central directory (checked before it is parsed); unsafe member names, symbolic
        links, oversized or highly compressed members; no ``project.qde``; XML that is
        malformed, too deep, declares a DTD or entities; wrong root element or namespace;
        elements or attributes that REFI-QDA does not define, or repeated where one is
        allowed; duplicate GUIDs of sources, selections or cases; ``internal://`` paths
        to members that do not exist; codings this reader cannot represent; references
        to codes, sources or selections that do not exist.
    """
    name = label or (str(path) if not isinstance(path, io.BytesIO) else "<qdpx>")
    expected = "a REFI-QDA .qdpx file (a ZIP archive with project.qde)"
    with open_zip(path, label=name, limits=limits, expected=expected) as zf:
        members = set(zf.namelist())
        if "project.qde" not in members:
            raise DataError("the archive has no project.qde", file=name,
                            expected="a REFI-QDA project with project.qde at the top level")
        data = read_member(zf, "project.qde", name, min(limits.max_xml_bytes,
                                                        limits.max_member_bytes))
    return parse_qde(data, f"{name}!project.qde", members=members, limits=limits)


def _element_error(problem: str, label: str, where: str, column: str | None = None,
                   expected: str | None = None) -> DataError:
    return DataError(problem, file=label, row=where, row_label="element", column=column,
                     expected=expected)


def _guid(el: ET.Element, what: str, label: str, where: str, seen: set[str]) -> str:
    """The element's ``guid``, upper case; refused if malformed or already used in ``seen``."""
    g = el.get("guid") or ""
    if not _GUID.match(g):
        raise _element_error(f"{what} guid {g!r} is not a GUID", label, where, "guid",
                             "a GUID (8-4-4-4-12 hexadecimal digits)")
    if g.upper() in seen:
        raise _element_error(f"{what} guid {g} is used twice", label, where, "guid",
                             f"a unique guid for each {what}")
    seen.add(g.upper())
    return g.upper()


def _check_paths(el: ET.Element, label: str, where: str, members: set[str] | None) -> None:
    """``internal://`` paths of a source must name a member under ``sources/``."""
    if members is None:
        return
    for attr in ("plainTextPath", "richTextPath", "path"):
        value = el.get(attr)
        if value is None or not value.startswith("internal://"):
            continue
        member = "sources/" + value[len("internal://"):]
        if not safe_member_name(member) or member not in members:
            raise _element_error(f"{attr} {value!r} names no member of the archive", label,
                                 where, attr, f"an existing member {member!r}")


def _position(sel: ET.Element, attr: str, label: str, where: str) -> int:
    raw = sel.get(attr)
    if raw is None or not _POSITION.match(raw):
        raise _element_error(f"{attr} {raw!r} is not a character position", label, where,
                             attr, "a non-negative integer written in ASCII digits")
    return int(raw)


def _text_source(src: ET.Element, ns: str, label: str, where: str, known: set[str],
                 seen_selections: set[str]) -> list[Selection]:
    """The coded selections of one ``TextSource`` (its guid already checked)."""
    if src.find(_q(ns, "Coding")) is not None:
        raise _element_error("a coding of the whole source is not supported", label,
                             f"{where}/Coding[1]",
                             expected="codings inside PlainTextSelection elements")
    sg = src.get("guid").upper()
    out = []
    for j, sel in enumerate(src.findall(_q(ns, "PlainTextSelection"))):
        swhere = f"{where}/PlainTextSelection[{j + 1}]"
        guid = _guid(sel, "selection", label, swhere, seen_selections)
        start = _position(sel, "startPosition", label, swhere)
        end = _position(sel, "endPosition", label, swhere)
        if not start <= end:
            raise _element_error(f"selection [{start}, {end}) is not a valid range", label,
                                 swhere, "startPosition", "0 <= startPosition <= endPosition")
        refs = _code_refs(sel.iter(_q(ns, "CodeRef")), known, label, swhere)
        out.append(Selection(guid, sg, start, end, tuple(refs)))
    return out


def _case(c: ET.Element, ns: str, label: str, where: str, known: set[str],
          sources: dict[str, str], selections: set[str], seen: set[str]) -> Case:
    """One ``Case`` with its references, each checked against what the project defines."""
    cg = _guid(c, "case", label, where, seen)
    crefs = _code_refs(c.findall(_q(ns, "CodeRef")), known, label, where)
    srefs = _targets(c.findall(_q(ns, "SourceRef")), sources, "SourceRef", "source", label,
                     where)
    selrefs = _targets(c.findall(_q(ns, "SelectionRef")), selections, "SelectionRef",
                       "selection", label, where)
    return Case(cg, c.get("name") or cg, tuple(crefs), tuple(srefs), tuple(selrefs))


def _targets(refs, known, element: str, what: str, label: str, where: str) -> list[str]:
    out = []
    for ref in refs:
        t = (ref.get("targetGUID") or "").upper()
        if t not in known:
            raise _element_error(f"{element} to unknown {what} {t!r}", label, where,
                                 "targetGUID", f"the guid of a {what} in Sources")
        out.append(t)
    return out


def parse_qde(data: bytes, label: str = "<project.qde>", *, members: set[str] | None = None,
              limits: Limits = DEFAULT_LIMITS) -> Project:
    """Parse ``project.qde`` bytes (see :func:`read_qdpx`).

    ``members`` (the archive's member names) enables the check of ``internal://``
    paths; without it they are not checked.
    """
    ns = PROJECT_NS
    root = _parse_xml(data, label, limits)
    if root.tag != _q(ns, "Project"):
        raise DataError(f"root element is {root.tag!r}", file=label, row="root",
                        row_label="element", expected=f"Project in namespace {ns}")
    check_vocabulary(root, ns, PROJECT_VOCABULARY, label)
    cb = root.find(f"{_q(ns, 'CodeBook')}/{_q(ns, 'Codes')}")
    codes = _codes_from(cb, ns, label) if cb is not None else []
    known = {c.guid.upper() for c in codes}

    sources: dict[str, str] = {}
    selections: list[Selection] = []
    seen_sources: set[str] = set()
    seen_selections: set[str] = set()
    src_root = root.find(_q(ns, "Sources"))
    counts: dict[str, int] = {}
    for src in [] if src_root is None else list(src_root):
        kind = src.tag.split("}")[-1]
        counts[kind] = counts.get(kind, 0) + 1
        where = f"Sources/{kind}[{counts[kind]}]"
        sg = _guid(src, "source", label, where, seen_sources)
        _check_paths(src, label, where, members)
        if kind in _MEDIA_SOURCES:
            if any(True for _ in src.iter(_q(ns, "Coding"))):
                raise _element_error(f"codings of a {kind} are not supported", label, where,
                                     expected="codings of TextSource selections only")
        else:
            selections += _text_source(src, ns, label, where, known, seen_selections)
        sources[sg] = src.get("name") or ""
    sel_guids = {sel.guid for sel in selections}
    cases: list[Case] = []
    seen_cases: set[str] = set()
    case_root = root.find(_q(ns, "Cases"))
    for i, c in enumerate([] if case_root is None else case_root.findall(_q(ns, "Case"))):
        cases.append(_case(c, ns, label, f"Cases/Case[{i + 1}]", known, sources, sel_guids,
                           seen_cases))
    codes = [Code(c.guid.upper(), c.name, c.is_codable, c.color, c.description,
                  None if c.parent is None else c.parent.upper()) for c in codes]
    return Project(root.get("name") or "", tuple(codes), tuple(cases), sources,
                   tuple(selections), label)


def write_qdpx(path: str | PathLike[str] | None, codes: Sequence[Code], cases: Iterable[Case],
               texts: dict[str, tuple[str, str]], selections: Iterable[Selection],
               name: str = "project", origin: str = "foresight compendium") -> bytes:
    """Write a minimal REFI-QDA project archive; return its bytes (deterministic).

    Parameters
    ----------
    codes, cases, selections
        As returned by :func:`read_qdpx`.
    texts
        Source guid → ``(name, plain text)``; each becomes a ``TextSource`` with its
        text stored as ``sources/<guid>.txt`` (``plainTextPath="internal://<guid>.txt"``).
    """
    ns = PROJECT_NS
    root = ET.Element("Project", {"name": name, "origin": origin})
    _code_elements(ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes"),
                   codes, ns)
    cases_el = ET.SubElement(root, "Cases")
    for c in cases:
        ce = ET.SubElement(cases_el, "Case", {"guid": c.guid, "name": c.name})
        for code in c.codes:
            ET.SubElement(ce, "CodeRef", {"targetGUID": code})
        for src in c.sources:
            ET.SubElement(ce, "SourceRef", {"targetGUID": src})
        for sel in c.selections:
            ET.SubElement(ce, "SelectionRef", {"targetGUID": sel})
    by_source: dict[str, list[Selection]] = {}
    for s in selections:
        by_source.setdefault(s.source, []).append(s)
    src_el = ET.SubElement(root, "Sources")
    for guid, (title, _text) in texts.items():
        te = ET.SubElement(src_el, "TextSource",
                           {"guid": guid, "name": title, "plainTextPath": f"internal://{guid}.txt"})
        for s in by_source.get(guid, []):
            se = ET.SubElement(te, "PlainTextSelection",
                               {"guid": s.guid, "startPosition": str(s.start),
                                "endPosition": str(s.end)})
            for k, code in enumerate(s.codes):
                co = ET.SubElement(se, "Coding",
                                   {"guid": code_guid(f"coding:{s.guid}:{k}")})
                ET.SubElement(co, "CodeRef", {"targetGUID": code})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        def put(member: str, payload: bytes) -> None:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, payload)
        put("project.qde", _to_bytes(root, ns))
        for guid, (_title, text) in texts.items():
            put(f"sources/{guid}.txt", text.encode("utf-8"))
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _code_refs(refs, known: set[str] | dict, label: str, where: str) -> list[str]:
    """Target GUIDs of ``CodeRef`` elements, each checked against the project's codes."""
    out = []
    for ref in refs:
        t = (ref.get("targetGUID") or "").upper()
        if t not in known:
            raise DataError(f"CodeRef to unknown code {t!r}", file=label, row=where,
                            row_label="element", column="targetGUID",
                            expected="the guid of a code in the project's CodeBook")
        out.append(t)
    return out
