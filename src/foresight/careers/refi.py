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

Files from elsewhere are untrusted. Every XML parse goes through :mod:`defusedxml` with
DTDs forbidden (so entity-expansion bombs and external entities are rejected); ZIP
members are checked for path traversal, size and compression ratio *before* anything is
read, and reads are bounded. Every problem raises :class:`foresight.DataError` naming
the file, the element or member, and what was expected.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from os import PathLike
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence
from xml.etree import ElementTree as ET

import defusedxml
import defusedxml.ElementTree as DET
import pandas as pd

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


@dataclass(frozen=True)
class Limits:
    """Resource limits for untrusted archives and XML (bytes)."""

    max_xml_bytes: int = 50_000_000
    max_member_bytes: int = 50_000_000
    max_total_bytes: int = 500_000_000
    max_members: int = 10_000
    max_ratio: float = 200.0


DEFAULT_LIMITS = Limits()


# --------------------------------------------------------------------------- XML parsing
def _parse_xml(data: bytes, label: str) -> ET.Element:
    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise DataError("the XML declares a DTD, which could define entity bombs or external "
                        "entities; refused", file=label,
                        expected="REFI-QDA XML without a DOCTYPE") from None
    except defusedxml.EntitiesForbidden:
        raise DataError("the XML defines entities (possible entity-expansion bomb); refused",
                        file=label, expected="REFI-QDA XML without entity declarations") from None
    except defusedxml.ExternalReferenceForbidden:
        raise DataError("the XML refers to an external resource; refused", file=label,
                        expected="self-contained REFI-QDA XML") from None
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (None, None))
        raise DataError(f"malformed XML ({exc.msg if hasattr(exc, 'msg') else exc})",
                        file=label, row=line, column=None if col is None else f"char {col}",
                        expected="well-formed XML") from None


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


def _codes_from(parent_el: ET.Element, ns: str, label: str) -> list[Code]:
    """Depth-first list of codes below a ``Codes`` element (parents before children)."""
    out: list[Code] = []
    seen: set[str] = set()

    def walk(el: ET.Element, parent: str | None, path: str) -> None:
        for i, c in enumerate(el.findall(_q(ns, "Code"))):
            where = f"{path}/Code[{i + 1}]"
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
            out.append(Code(guid, name, codable, colour, None if d is None else (d.text or ""),
                            parent))
            walk(c, guid, where)

    walk(parent_el, None, "Codes")
    return out


def parse_qdc(data: bytes, label: str = "<codebook>", limits: Limits = DEFAULT_LIMITS) -> list[Code]:
    """Parse REFI-QDA codebook bytes into a list of :class:`Code` (see :func:`read_qdc`)."""
    if len(data) > limits.max_xml_bytes:
        raise DataError(f"codebook is {len(data)} bytes", file=label,
                        expected=f"at most {limits.max_xml_bytes} bytes")
    root = _parse_xml(data, label)
    if root.tag != _q(CODEBOOK_NS, "CodeBook"):
        raise DataError(f"root element is {root.tag!r}", file=label, row_label="element",
                        row="root", expected=f"CodeBook in namespace {CODEBOOK_NS}")
    codes_el = root.find(_q(CODEBOOK_NS, "Codes"))
    if codes_el is None:
        raise DataError("no Codes element", file=label, expected="CodeBook/Codes")
    return _codes_from(codes_el, CODEBOOK_NS, label)


def read_qdc(path: str | PathLike[str], limits: Limits = DEFAULT_LIMITS) -> list[Code]:
    """Read a REFI-QDA codebook (``.qdc``).

    Returns
    -------
    list of Code
        Depth first, in document order; ``parent`` links rebuild the hierarchy.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > limits.max_xml_bytes:
            raise DataError(f"codebook is {size} bytes", file=str(p),
                            expected=f"at most {limits.max_xml_bytes} bytes")
        data = p.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", file=str(p)) from None
    return parse_qdc(data, str(p), limits)


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


def _safe_member_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name:
        return False
    p = PurePosixPath(name)
    if p.is_absolute() or re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in p.parts


def _check_archive(zf: zipfile.ZipFile, label: str, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise DataError(f"archive has {len(infos)} members", file=label,
                        expected=f"at most {limits.max_members}")
    names: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if not _safe_member_name(name):
            raise DataError(f"member name {name!r} escapes the archive (path traversal)",
                            file=label, row=name, row_label="member",
                            expected="relative paths without '..', drive letters or backslashes")
        if name in names:
            raise DataError(f"member {name!r} appears twice", file=label, row=name,
                            row_label="member", expected="unique member names")
        names.add(name)
        if info.flag_bits & 0x1:
            raise DataError("member is encrypted", file=label, row=name, row_label="member",
                            expected="an unencrypted archive")
        if info.file_size > limits.max_member_bytes:
            raise DataError(f"member is {info.file_size} bytes uncompressed", file=label,
                            row=name, row_label="member",
                            expected=f"at most {limits.max_member_bytes} bytes")
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio and info.file_size > 1_000_000:
            raise DataError(f"member expands {ratio:.0f}-fold (possible ZIP bomb)", file=label,
                            row=name, row_label="member",
                            expected=f"a compression ratio of at most {limits.max_ratio:.0f}")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise DataError(f"archive expands to {total} bytes", file=label,
                        expected=f"at most {limits.max_total_bytes} bytes in total")


def _read_member(zf: zipfile.ZipFile, name: str, label: str, limit: int) -> bytes:
    """Read at most ``limit`` bytes; a member that lies about its size is refused."""
    try:
        with zf.open(name) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise DataError(f"member is corrupt or unreadable ({exc})", file=label, row=name,
                        row_label="member", expected="an intact, unencrypted ZIP member") from None
    if len(data) > limit:
        raise DataError("member is larger than its header says", file=label, row=name,
                        row_label="member", expected=f"at most {limit} bytes")
    return data


def read_qdpx(path: str | PathLike[str] | io.BytesIO, limits: Limits = DEFAULT_LIMITS,
              label: str | None = None) -> Project:
    """Import a REFI-QDA project archive (``.qdpx``).

    Reads ``project.qde`` only (source documents under ``sources/`` are checked but not
    read). Extracts the codebook, the cases with their case-level codes and sources,
    and every ``PlainTextSelection`` (or other ``*Selection``) with its codings.

    Raises
    ------
    DataError
        Not a ZIP; unsafe member names; oversized or highly compressed members; no
        ``project.qde``; XML that is malformed, declares a DTD or entities; wrong root
        element or namespace; references to codes or sources that do not exist.
    """
    name = label or (str(path) if not isinstance(path, io.BytesIO) else "<qdpx>")
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise DataError("file not found", file=name) from None
    except (zipfile.BadZipFile, OSError):
        raise DataError("not a ZIP archive", file=name,
                        expected="a REFI-QDA .qdpx file (a ZIP archive with project.qde)") from None
    with zf:
        _check_archive(zf, name, limits)
        if "project.qde" not in zf.namelist():
            raise DataError("the archive has no project.qde", file=name,
                            expected="a REFI-QDA project with project.qde at the top level")
        data = _read_member(zf, "project.qde", name, min(limits.max_xml_bytes,
                                                         limits.max_member_bytes))
    return parse_qde(data, f"{name}!project.qde")


def parse_qde(data: bytes, label: str = "<project.qde>") -> Project:
    """Parse ``project.qde`` bytes (see :func:`read_qdpx`)."""
    ns = PROJECT_NS
    root = _parse_xml(data, label)
    if root.tag != _q(ns, "Project"):
        raise DataError(f"root element is {root.tag!r}", file=label, row="root",
                        row_label="element", expected=f"Project in namespace {ns}")
    cb = root.find(f"{_q(ns, 'CodeBook')}/{_q(ns, 'Codes')}")
    codes = _codes_from(cb, ns, label) if cb is not None else []
    known = {c.guid.upper() for c in codes}

    sources: dict[str, str] = {}
    selections: list[Selection] = []
    src_root = root.find(_q(ns, "Sources"))
    for i, src in enumerate([] if src_root is None else list(src_root)):
        where = f"Sources/{src.tag.split('}')[-1]}[{i + 1}]"
        sg = src.get("guid") or ""
        if not _GUID.match(sg):
            raise DataError(f"source guid {sg!r} is not a GUID", file=label, row=where,
                            row_label="element", column="guid", expected="a GUID")
        sources[sg.upper()] = src.get("name") or ""
        for j, sel in enumerate(el for el in src if el.tag.endswith("Selection")):
            swhere = f"{where}/{sel.tag.split('}')[-1]}[{j + 1}]"
            try:
                start, end = int(sel.get("startPosition", "0")), int(sel.get("endPosition", "0"))
            except ValueError:
                raise DataError("start/end position is not an integer", file=label, row=swhere,
                                row_label="element", column="startPosition",
                                expected="non-negative integers") from None
            if not 0 <= start <= end:
                raise DataError(f"selection [{start}, {end}) is not a valid range", file=label,
                                row=swhere, row_label="element", column="startPosition",
                                expected="0 <= startPosition <= endPosition")
            refs = _code_refs(sel.iter(_q(ns, "CodeRef")), known, label, swhere)
            selections.append(Selection((sel.get("guid") or "").upper(), sg.upper(), start, end,
                                        tuple(refs)))
    cases: list[Case] = []
    case_root = root.find(_q(ns, "Cases"))
    for i, c in enumerate([] if case_root is None else case_root.findall(_q(ns, "Case"))):
        where = f"Cases/Case[{i + 1}]"
        cg = c.get("guid") or ""
        if not _GUID.match(cg):
            raise DataError(f"case guid {cg!r} is not a GUID", file=label, row=where,
                            row_label="element", column="guid", expected="a GUID")
        crefs = _code_refs(c.findall(_q(ns, "CodeRef")), known, label, where)
        srefs = []
        for ref in c.findall(_q(ns, "SourceRef")):
            t = (ref.get("targetGUID") or "").upper()
            if t not in sources:
                raise DataError(f"SourceRef to unknown source {t!r}", file=label, row=where,
                                row_label="element", column="targetGUID",
                                expected="the guid of a source in Sources")
            srefs.append(t)
        sel_guids = {sel.guid for sel in selections}
        selrefs = []
        for ref in c.findall(_q(ns, "SelectionRef")):
            t = (ref.get("targetGUID") or "").upper()
            if t not in sel_guids:
                raise DataError(f"SelectionRef to unknown selection {t!r}", file=label,
                                row=where, row_label="element", column="targetGUID",
                                expected="the guid of a selection in Sources")
            selrefs.append(t)
        cases.append(Case(cg.upper(), c.get("name") or cg, tuple(crefs), tuple(srefs),
                          tuple(selrefs)))
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
