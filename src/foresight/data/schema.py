"""A small YAML schema checker whose errors name the file, the line and the field.

The schema language is documented at the top of ``data/careers/study.schema.yaml``:
records are mappings of field name to a type string (``str``, ``id``, ``posint``,
``count``, ``prob``, ``enum:a|b``, ``ref:<list>``, ``list:<type>`` or a record name);
a trailing ``?`` marks an optional field. Unknown keys are errors, so typos in a
hand-edited codebook are caught.

Line numbers come from :func:`yaml.compose`, which keeps the position of every node,
so an error says ``study.yaml, line 57, column typologies[2].stay.low: ...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from foresight.errors import DataError
from foresight.data.files import parse_yaml

__all__ = ["load_yaml", "validate", "YamlDoc"]

_ID = re.compile(r"^(?:[a-z0-9][a-z0-9_-]*|T[0-9]+)$")


@dataclass(frozen=True)
class YamlDoc:
    """Parsed YAML with its node tree (for line numbers) and a label for messages."""

    data: Any
    node: yaml.Node | None
    label: str

    def line(self, path: tuple) -> int | None:
        """1-based line of the node at ``path`` (keys and list indices), if known."""
        node = self.node
        best = None if node is None else node.start_mark.line + 1
        for step in path:
            if isinstance(node, yaml.MappingNode):
                nxt = None
                for k, v in node.value:
                    if getattr(k, "value", None) == step:
                        nxt = v
                        best = k.start_mark.line + 1
                        break
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                node = node.value[step] if step < len(node.value) else None
                if node is not None:
                    best = node.start_mark.line + 1
            else:
                node = None
            if node is None:
                break
        return best

    def error(self, path: tuple, problem: str, expected: str | None = None) -> DataError:
        return DataError(problem, file=self.label, row=self.line(path),
                         column=format_path(path) or None, expected=expected)


def format_path(path: tuple) -> str:
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out


def load_yaml(text: str, label: str) -> YamlDoc:
    """Parse YAML safely (``yaml.safe_load``; no arbitrary objects) keeping line numbers.

    Raises
    ------
    DataError
        If the text is not valid YAML (with the line of the problem).
    """
    data = parse_yaml(text, label)
    node = yaml.compose(text, Loader=yaml.SafeLoader)  # cannot fail once parse_yaml succeeded
    return YamlDoc(data, node, label)


def validate(doc: YamlDoc, schema: dict) -> None:
    """Check ``doc.data`` against ``schema``; raise :class:`DataError` at the first problem."""
    records = schema["records"]
    _check(doc, doc.data, schema["root"], (), records, doc.data)
    _check_unique_ids(doc, doc.data)


def _check(doc: YamlDoc, value: Any, typ: str, path: tuple, records: dict, root: Any) -> None:
    fail = lambda problem, expected=None: doc.error(path, problem, expected)  # noqa: E731
    if typ.startswith(("list:", "list0:")):
        kind, inner = typ.split(":", 1)
        if not isinstance(value, list) or (kind == "list" and not value):
            raise fail("not a list" if kind == "list0" else "not a non-empty list",
                       f"a list of {inner}")
        for i, item in enumerate(value):
            _check(doc, item, inner, (*path, i), records, root)
        return
    if typ in records:
        spec = records[typ]
        if not isinstance(value, dict):
            raise fail("not a mapping", f"a {typ} with keys " + ", ".join(k.rstrip("?") for k in spec))
        allowed = {k.rstrip("?"): k for k in spec}
        for key in value:
            if key not in allowed:
                raise doc.error((*path, key), f"unknown key {key!r}",
                                "one of " + ", ".join(allowed))
        for name, raw in allowed.items():
            optional = raw.endswith("?")
            if name not in value:
                if optional:
                    continue
                raise fail(f"missing key {name!r} in {typ}", f"a {typ} with keys " + ", ".join(allowed))
            _check(doc, value[name], spec[raw], (*path, name), records, root)
        return
    if typ == "str":
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{value!r} is not text", "non-empty text")
    elif typ == "id":
        if not isinstance(value, str) or not _ID.match(value):
            raise fail(f"{value!r} is not a valid id", "lower-case letters, digits, _ or -")
    elif typ in ("posint", "count"):
        low = 1 if typ == "posint" else 0
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise fail(f"{value!r} is not a whole number >= {low}", f"an integer of at least {low}")
    elif typ == "prob":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise fail(f"{value!r} is not a probability", "a number from 0 to 1")
    elif typ.startswith("enum:"):
        options = typ[5:].split("|")
        if value not in options:
            raise fail(f"{value!r} is not allowed", "one of " + ", ".join(options))
    elif typ.startswith("ref:"):
        target, *extra = typ[4:].split("|")
        ids = [e.get("id") for e in (root.get(target) or []) if isinstance(e, dict)] \
            if isinstance(root, dict) else []
        if value not in ids and value not in extra:
            raise fail(f"{value!r} does not refer to an existing entry of {target}",
                       "one of " + ", ".join(map(str, ids + extra)))
    else:  # pragma: no cover - schema error, not data error
        raise ValueError(f"unknown schema type {typ!r}")


def _check_unique_ids(doc: YamlDoc, data: Any) -> None:
    seen: dict[str, tuple] = {}
    if not isinstance(data, dict):
        return
    for key, items in data.items():
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, dict) and "id" in item:
                ident = item["id"]
                if ident in seen:
                    raise doc.error((key, i, "id"), f"id {ident!r} is used twice",
                                    f"unique ids (first used at {format_path(seen[ident])})")
                seen[ident] = (key, i, "id")
