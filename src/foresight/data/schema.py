"""The one schema checker for YAML study data; errors name the file, the line and the field.

The schema language is documented at the top of ``data/careers/study.schema.yaml``:
records are mappings of field name to a type string and a trailing ``?`` marks an
optional field. Types:

``str``
    non-empty text without control characters (other than tab and newline)
``id``
    lower-case identifier (``[a-z0-9][a-z0-9_-]*`` or ``T`` + digits)
``slug``
    lower-case words joined by single hyphens (``hs2013-misses-liars``)
``posint`` / ``count``
    integer >= 1 / >= 0 (never a boolean, a float or text)
``prob``
    number in [0, 1]
``date``
    ``YYYY-MM-DD``, a real calendar date (kept as text by the loader)
``enum:a|b``
    one of the listed words
``ref:<list>``
    the id of an entry of the top-level list ``<list>``; extra literals may
    follow after ``|`` (``ref:typologies|across``)
``maybe:<type>``
    ``null`` or ``<type>``
``list:<type>`` / ``list0:<type>``
    non-empty / possibly empty list of ``<type>``
``<record>``
    a mapping described under ``records``

Unknown keys are errors (listing the allowed ones), so typos in a hand-edited file
are caught; ids (the ``id`` field of entries of top-level lists) must be unique
across the whole document. YAML is parsed by :mod:`foresight.data.yamlsafe`
(duplicate keys, deep nesting, aliases refused; dates kept as text), so an error
says ``study.yaml, line 57, column typologies[2].stay.low: ...``.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Hashable

from foresight.data.yamlsafe import YamlDoc, format_path, load_yaml

__all__ = ["YamlDoc", "format_path", "load_yaml", "validate"]

_ID = re.compile(r"^(?:[a-z0-9][a-z0-9_-]*|T[0-9]+)$")
_SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MAX_LISTED = 12


def validate(doc: YamlDoc, schema: dict) -> None:
    """Check ``doc.data`` against ``schema``; raise :class:`DataError` at the first problem.

    Parameters
    ----------
    doc
        From :func:`load_yaml`.
    schema
        ``{"root": <record name>, "records": {name: {field: type}}}``.
    """
    records = schema["records"]
    _check_unique_ids(doc, doc.data)  # first: references to a duplicated id are ambiguous
    _check(doc, doc.data, schema["root"], (), records, doc.data)


def _listing(options: list) -> str:
    shown = ", ".join(map(str, options[:_MAX_LISTED]))
    more = len(options) - _MAX_LISTED
    return "one of " + shown + (f" (and {more} more)" if more > 0 else "")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(doc: YamlDoc, value: Any, typ: str, path: tuple, records: dict, root: Any) -> None:
    fail = lambda problem, expected=None: doc.error(path, problem, expected)  # noqa: E731
    if typ.startswith("maybe:"):
        if value is not None:
            _check(doc, value, typ[6:], path, records, root)
        return
    if typ.startswith(("list:", "list0:")):
        kind, inner = typ.split(":", 1)
        if not isinstance(value, list) or (kind == "list" and not value):
            raise fail("not a list" if kind == "list0" else "not a non-empty list",
                       f"a list of {inner}")
        for i, item in enumerate(value):
            _check(doc, item, inner, (*path, i), records, root)
        return
    if typ in records:
        _check_record(doc, value, typ, path, records, root)
        return
    _check_scalar(doc, value, typ, path, root)


def _check_record(doc: YamlDoc, value: Any, typ: str, path: tuple, records: dict,
                  root: Any) -> None:
    spec = records[typ]
    allowed = {k.rstrip("?"): k for k in spec}
    if not isinstance(value, dict):
        raise doc.error(path, "not a mapping", f"a {typ} with keys " + ", ".join(allowed))
    for key in value:
        if key not in allowed:
            raise doc.error((*path, key), f"unknown key {key!r}", "one of " + ", ".join(allowed))
    for name, raw in allowed.items():
        if name not in value:
            if raw.endswith("?"):
                continue
            where = "top-level key" if path == () else "key"
            raise doc.error(path, f"missing {where} {name!r} in {typ}",
                            f"a {typ} with keys " + ", ".join(allowed))
        _check(doc, value[name], spec[raw], (*path, name), records, root)


def _check_scalar(doc: YamlDoc, value: Any, typ: str, path: tuple, root: Any) -> None:
    fail = lambda problem, expected=None: doc.error(path, problem, expected)  # noqa: E731
    if typ == "str":
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{value!r} is not text", "non-empty text")
        if _CONTROL.search(value):
            raise fail("text contains a control character", "text without control characters")
    elif typ in ("id", "slug"):
        rx, what = ((_ID, "lower-case letters, digits, _ or -") if typ == "id" else
                    (_SLUG, "lower-case letters and digits separated by single hyphens"))
        if not isinstance(value, str) or not rx.match(value):
            raise fail(f"{value!r} is not a valid id", what)
    elif typ in ("posint", "count"):
        low = 1 if typ == "posint" else 0
        if not _is_int(value) or value < low:
            raise fail(f"{value!r} is not a whole number >= {low}", f"an integer of at least {low}")
    elif typ == "prob":
        if not (_is_int(value) or isinstance(value, float)) or not 0 <= value <= 1:
            raise fail(f"{value!r} is not a probability", "a number from 0 to 1")
    elif typ == "date":
        if not isinstance(value, str) or not _DATE.match(value) or not _valid_date(value):
            raise fail(f"{value!r} is not a valid date", "a calendar date written YYYY-MM-DD")
    elif typ.startswith("enum:"):
        options = typ[5:].split("|")
        if not isinstance(value, str) or value not in options:
            raise fail(f"{value!r} is not allowed", "one of " + ", ".join(options))
    elif typ.startswith("ref:"):
        target, *extra = typ[4:].split("|")
        entries = root.get(target) if isinstance(root, dict) else None
        ids = [e.get("id") for e in (entries if isinstance(entries, list) else [])
               if isinstance(e, dict)]
        if not isinstance(value, (str, int)) or isinstance(value, bool) or \
                (value not in ids and value not in extra):
            raise fail(f"{value!r} does not refer to an existing entry of {target}",
                       _listing(ids + extra))
    else:  # pragma: no cover - schema error, not data error
        raise ValueError(f"unknown schema type {typ!r}")


def _valid_date(text: str) -> bool:
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_unique_ids(doc: YamlDoc, data: Any) -> None:
    seen: dict[Any, tuple] = {}
    if not isinstance(data, dict):
        return
    for key, items in data.items():
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, dict) and "id" in item:
                ident = item["id"]
                if not isinstance(ident, Hashable):
                    continue  # the schema has already refused it
                if ident in seen:
                    raise doc.error((key, i, "id"), f"id {ident!r} is used twice",
                                    f"unique ids (first used at {format_path(seen[ident])})")
                seen[ident] = (key, i, "id")
