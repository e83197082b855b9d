"""Strict YAML: plain data only, no duplicate keys, bounded depth, dates kept as text.

:func:`load_yaml` parses with a loader derived from ``yaml.SafeLoader`` (so no
Python objects are ever built) that is stricter in five ways, each refused as a
:class:`foresight.DataError` naming the file, the line and the column:

* a key that appears twice in one mapping (``yaml.safe_load`` keeps the last);
* nesting deeper than :data:`MAX_DEPTH` levels (a 1 kB file of 500 nested
  lists would otherwise exhaust the interpreter's recursion limit);
* anchors and aliases (``&a`` / ``*a``), which let a small file stand for an
  exponentially large tree, and explicit tags other than ``!!str``;
* only the documented scalar forms are typed: integers are decimal
  (``12``, ``-3``; no ``0x1f``, ``1_000``, ``017`` or sexagesimal ``1:20``),
  floats are decimal with a point (``0.5``, ``1.5e-3``; no ``.nan`` or
  ``.inf``), booleans are ``true``/``false``, and dates are *not* typed, so
  ``date: 2013-02-30`` stays the text ``"2013-02-30"`` for a schema to judge.
  Anything else is text.

The node tree is kept (:class:`YamlDoc`), so validators can report the line of
every value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Hashable

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from foresight.errors import DataError

__all__ = ["MAX_DEPTH", "YamlDoc", "format_path", "load_yaml", "parse_yaml"]

#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 50

_T = "tag:yaml.org,2002:"
_DROPPED = {_T + t for t in ("bool", "int", "float", "timestamp", "merge", "value")}
_ALLOWED_TAGS = {None, "!", _T + "str"}


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with the restrictions listed in the module docstring."""

    max_depth = MAX_DEPTH

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._text = stream

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ComposerError(None, None, "anchors and aliases (&name, *name) are not allowed",
                                event.start_mark)
        if getattr(event, "tag", None) not in _ALLOWED_TAGS:
            raise ComposerError(None, None, f"explicit tag {event.tag!r} is not allowed",
                                event.start_mark)
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise ComposerError(None, None, f"nesting deeper than {self.max_depth} levels",
                                    event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node):  # noqa: D102 - PyYAML hook
        if len(node.value) > 30:
            raise ConstructorError(None, None, f"{node.value[:12]}... has too many digits",
                                   node.start_mark)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):  # noqa: D102 - PyYAML hook
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise ConstructorError(None, None, f"{node.value[:12]!r}... is too large a number",
                                   node.start_mark)
        return value

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, Hashable):
                    continue  # the base class reports unhashable keys
                if key in seen:
                    raise ConstructorError(
                        None, None,
                        f"duplicate key {key!r} (first on line {seen[key]})",
                        key_node.start_mark)
                seen[key] = _position(self._text, key_node.start_mark.index)[0]
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_constructor(_T + "int", StrictLoader.construct_yaml_int)
StrictLoader.add_constructor(_T + "float", StrictLoader.construct_yaml_float)
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    _T + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
StrictLoader.add_implicit_resolver(
    _T + "int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
StrictLoader.add_implicit_resolver(
    _T + "float", re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."))


@dataclass(frozen=True)
class YamlDoc:
    """Parsed YAML with its node tree (for line numbers) and a label for messages."""

    data: Any
    node: yaml.Node | None
    label: str
    text: str | None = None

    def _line_of(self, mark) -> int:
        # YAML also breaks lines at NEL and U+2028/9; count line feeds, as editors do
        if self.text is None:
            return mark.line + 1
        return _position(self.text, mark.index)[0]

    def line(self, path: tuple) -> int | None:
        """1-based line of the node at ``path`` (keys and list indices), if known."""
        node = self.node
        best = None if node is None else self._line_of(node.start_mark)
        for step in path:
            if isinstance(node, yaml.MappingNode):
                nxt = None
                for k, v in node.value:
                    if getattr(k, "value", None) == step:
                        nxt = v
                        best = self._line_of(k.start_mark)
                        break
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                node = node.value[step] if step < len(node.value) else None
                if node is not None:
                    best = self._line_of(node.start_mark)
            else:
                node = None
            if node is None:
                break
        return best

    def error(self, path: tuple, problem: str, expected: str | None = None) -> DataError:
        """A :class:`DataError` at ``path``: file, line of the node, dotted path as column."""
        return DataError(problem, file=self.label, row=self.line(path),
                         column=format_path(path) or None, expected=expected)


def format_path(path: tuple) -> str:
    """``("items", 3, "status")`` -> ``"items[3].status"``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out


def load_yaml(text: str, label: str) -> YamlDoc:
    """Parse YAML text strictly (see the module docstring), keeping line numbers.

    Raises
    ------
    DataError
        Naming ``label``, the line and the column of the first problem.
    """
    loader = None
    try:
        loader = StrictLoader(text)  # the reader checks every character here
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line, column = _position(text, exc.position)
        raise DataError(f"malformed YAML (character {exc.character:#06x} is not allowed)",
                        file=label, row=line, column=str(column),
                        expected="printable text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line, column = (None, None) if mark is None else _position(text, mark.index)
        raise DataError(f"malformed YAML ({problem})", file=label, row=line,
                        column=None if column is None else str(column),
                        expected="plain YAML data (see the file's schema)") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # pragma: no cover
        raise DataError(f"malformed YAML ({exc})", file=label) from None
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDoc(data, node, label, text)


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character ``offset`` of ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_yaml(text: str, label: str) -> Any:
    """The data of strict YAML text (see :func:`load_yaml`)."""
    return load_yaml(text, label).data
