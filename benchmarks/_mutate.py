"""A small AST mutator: the mutants of one module, one change at a time.

Each mutant changes exactly one site of a module's source (its syntax tree),
with the operators a reviewer would try by hand:

* comparisons: ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``, ``is`` <-> ``is not``,
  ``in`` <-> ``not in``;
* arithmetic: ``+`` <-> ``-``, ``*`` <-> ``/``, ``//`` -> ``/``, ``**`` -> ``*``, ``%`` -> ``*``,
  and the same in augmented assignments (``+=`` <-> ``-=``, ...);
* logic: ``and`` <-> ``or``, ``&`` <-> ``|`` (numpy masks), ``not x`` -> ``x``, ``-x`` -> ``x``;
* numbers: ``n`` -> ``n + 1`` (``0`` -> ``1``, ``0.5`` -> ``1.5``, ``1e-10`` -> ``1.0000000001``);
* ``True`` <-> ``False``.

Left alone: docstrings and other strings, type annotations, ``__all__``, and
the arguments of ``raise`` statements (messages), since none of them decides a
number. Mutants are named by line, column and the change, so a report can say
which survived and why.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator

__all__ = ["Mutant", "mutants", "mutated_source"]

_COMPARE = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.In: ast.NotIn, ast.NotIn: ast.In,
}
_BINARY = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.Mod: ast.Mult,
    ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
}
_BOOL = {ast.And: ast.Or, ast.Or: ast.And}
_SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Pow: "**",
    ast.Mod: "%", ast.BitAnd: "&", ast.BitOr: "|", ast.And: "and", ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    """One change to one site: where, what it was, what it becomes."""

    module: str  #: dotted module name
    index: int  #: position among the module's mutants (stable for one source text)
    line: int
    col: int
    change: str  #: e.g. "< -> <=", "0 -> 1", "not x -> x"

    @property
    def name(self) -> str:
        return f"{self.module}:{self.line}:{self.col} {self.change}"


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes whose subtrees are never mutated (annotations, docstrings, raise, __all__)."""
    skip: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            for sub in ast.walk(node):
                skip.add(id(sub))

    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            mark(node.returns)
            for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                      node.args.vararg, node.args.kwarg):
                if a is not None:
                    mark(a.annotation)
        if isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        if isinstance(node, ast.Raise):
            mark(node)
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            mark(node)
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(
            getattr(body[0], "value", None), ast.Constant
        ) and isinstance(body[0].value.value, str):
            mark(body[0])
    return skip


def _sites(tree: ast.AST) -> Iterator[tuple[ast.AST, str, object]]:
    """(node, change description, how to apply) for every mutable site, in a fixed order."""
    skip = _skipped_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                new = _COMPARE.get(type(op))
                if new:
                    yield node, f"{_SYMBOL[type(op)]} -> {_SYMBOL[new]}", ("compare", i, new)
        elif isinstance(node, (ast.BinOp, ast.AugAssign)):
            new = _BINARY.get(type(node.op))
            if new:
                aug = "=" if isinstance(node, ast.AugAssign) else ""
                yield node, f"{_SYMBOL[type(node.op)]}{aug} -> {_SYMBOL[new]}{aug}", ("binop", new)
        elif isinstance(node, ast.BoolOp):
            yield node, f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[_BOOL[type(node.op)]]}", ("boolop",)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            what = "not x -> x" if isinstance(node.op, ast.Not) else "-x -> x"
            yield node, what, ("unary",)
        elif isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool):
                yield node, f"{v} -> {not v}", ("const", not v)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                yield node, f"{v!r} -> {v + 1!r}", ("const", v + 1)


class _Apply(ast.NodeTransformer):
    def __init__(self, target: ast.AST, how: tuple) -> None:
        self.target, self.how = target, how

    def generic_visit(self, node: ast.AST) -> ast.AST:
        node = super().generic_visit(node)
        if node is not self.target:
            return node
        kind = self.how[0]
        if kind == "compare":
            node.ops[self.how[1]] = self.how[2]()
        elif kind == "binop":
            node.op = self.how[1]()
        elif kind == "boolop":
            node.op = _BOOL[type(node.op)]()
        elif kind == "unary":
            return node.operand
        elif kind == "const":
            node.value = self.how[1]
        return node


def mutants(source: str, module: str) -> list[Mutant]:
    """Every mutant of ``source`` (the text of module ``module``), in a fixed order."""
    tree = ast.parse(source)
    return [Mutant(module, i, getattr(n, "lineno", 0), getattr(n, "col_offset", 0), change)
            for i, (n, change, _) in enumerate(_sites(tree))]


def mutated_source(source: str, index: int) -> ast.Module:
    """The syntax tree of ``source`` with mutant ``index`` applied (ready for ``compile``)."""
    tree = ast.parse(source)
    for i, (node, _, how) in enumerate(_sites(tree)):
        if i == index:
            out = _Apply(node, how).visit(tree)
            return ast.fix_missing_locations(out)
    raise IndexError(f"no mutant {index}")
