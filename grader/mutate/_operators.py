"""Mutants of a solution cell: small, plausible mistakes made to the code between the solution markers.

Each mutant is one edit of the cell's source text, found from its syntax tree and spliced back into the original text,
so everything else in the cell (comments, layout) is unchanged and a mutant's one-line diff is stable across edits
elsewhere. The operators are the classic ones of mutation testing (as in mutmut and cosmic-ray)::

    compare      <  <=  >  >=  ==  !=  in  not in  is  is not   each swapped for its neighbours
    boundary     an int constant n becomes n + 1 and n - 1; a float x becomes x * 2 and x / 2
    constant     True <-> False; a short string becomes "" (or "x" when empty)
    boolean      and <-> or; one operand of and/or dropped; `not x` becomes `x`; an if's test negated
    arithmetic   + <-> -, * <-> /, // -> /, and the same for +=, -=, ...
    builtin      min <-> max, any <-> all
    statement    one statement replaced by `pass` (assignments, calls, returns, raises, ifs, loops, ...)
    except       one except clause made to catch nothing (`except ():`)
    return       `return value` becomes `return None`
    loop         break <-> continue

Only nodes entirely inside a ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region are mutated: the code around the
markers is the exercise's given scaffolding, not the learner's answer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

__all__ = ["Edit", "edits_of", "solution_lines"]

BEGIN_MARK: Final = "### BEGIN SOLUTION"
END_MARK: Final = "### END SOLUTION"
_SHORT_STRING: Final = 40

_COMPARE_SWAPS: Final[dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]]] = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
_BINOP_SWAPS: Final[dict[type[ast.operator], type[ast.operator]]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
}
_BUILTIN_SWAPS: Final = {"min": "max", "max": "min", "any": "all", "all": "any"}
# Statements whose removal is a mistake worth making; definitions and imports are not (the name would just vanish).
_REMOVABLE: Final = (
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Expr,
    ast.Return,
    ast.Raise,
    ast.If,
    ast.For,
    ast.While,
    ast.With,
    ast.Try,
    ast.Break,
    ast.Continue,
    ast.Assert,
    ast.Delete,
)


@dataclass(frozen=True, slots=True)
class Edit:
    """One mutant: replace ``source[start:end]`` with ``text``. ``line`` is the 1-based line it starts on."""

    operator: str
    line: int
    start: int
    end: int
    text: str

    def apply(self, source: str) -> str:
        return source[: self.start] + self.text + source[self.end :]


def solution_lines(source: str) -> set[int]:
    """The 1-based line numbers strictly inside a solution region of ``source``."""
    inside, lines = False, set()
    for number, line in enumerate(source.splitlines(), start=1):
        if BEGIN_MARK in line:
            inside = True
        elif END_MARK in line:
            inside = False
        elif inside:
            lines.add(number)
    return lines


class _Offsets:
    """Line/column positions of the syntax tree to offsets in the source text."""

    def __init__(self, source: str) -> None:
        self.starts = [0]
        for line in source.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.source = source

    def at(self, line: int, col: int) -> int:
        # ast columns are UTF-8 byte offsets; turn them into character offsets of the line.
        begin = self.starts[line - 1]
        text = self.source[begin : self.starts[line]] if line < len(self.starts) else self.source[begin:]
        return begin + len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.at(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.at(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _inside(node: ast.AST, lines: set[int]) -> bool:
    first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    return first is not None and last is not None and all(n in lines for n in range(first, last + 1))


def edits_of(source: str) -> list[Edit]:
    """Every mutant of the solution regions of one cell, in source order. ``source`` must be valid Python."""
    tree = ast.parse(source)
    lines = solution_lines(source)
    if not lines:
        return []
    offsets = _Offsets(source)
    skip = _docstrings(tree) | {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in ast.walk(n)}
    parents = _parents(tree)
    found: list[Edit] = []
    for node in ast.walk(tree):
        if not _inside(node, lines):
            continue
        for operator, target, replacement in _mutations(node, skip):
            start, end = offsets.span(target)
            if isinstance(replacement, str):
                text = replacement
            else:
                text = ast.unparse(replacement)
                if isinstance(replacement, ast.expr) and not _reads_as(
                    source[:start] + text + source[end:], tree, parents[id(target)], replacement
                ):
                    text = f"({text})"
            found.append(Edit(operator, target.lineno, start, end, text))  # type: ignore[attr-defined]
        if isinstance(node, ast.ExceptHandler):
            found.extend(_except_edits(node, offsets))
    unique: dict[tuple[int, int, str], Edit] = {}
    for edit in found:
        if edit.text != source[edit.start : edit.end]:
            unique.setdefault((edit.start, edit.end, edit.text), edit)
    return sorted(unique.values(), key=lambda e: (e.start, e.end, e.operator, e.text))


_Slot = tuple[ast.AST, str, int | None]  # the parent, its field, the index in that field's list


def _parents(tree: ast.AST) -> dict[int, _Slot]:
    found: dict[int, _Slot] = {}
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if isinstance(value, ast.AST):
                found[id(value)] = (parent, name, None)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        found[id(item)] = (parent, name, index)
    return found


def _reads_as(candidate: str, tree: ast.AST, slot: _Slot, replacement: ast.AST) -> bool:
    """Whether ``candidate`` (the edit spliced in without parentheses) parses as the tree with the replacement."""
    try:
        parsed = ast.dump(ast.parse(candidate))
    except SyntaxError:
        return False
    parent, name, index = slot
    original = getattr(parent, name)
    if index is None:
        setattr(parent, name, replacement)
    else:
        original[index], kept = replacement, original[index]
    try:
        return parsed == ast.dump(tree)
    finally:
        if index is None:
            setattr(parent, name, original)
        else:
            original[index] = kept


_Mutation = tuple[str, ast.AST, "ast.AST | str"]


def _mutations(node: ast.AST, skip: set[int]) -> Iterator[_Mutation]:
    """(operator, the node whose text is replaced, its replacement) for every mutant rooted at ``node``."""
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            for other in _COMPARE_SWAPS.get(type(op), ()):
                ops = list(node.ops)
                ops[index] = other()
                yield "compare", node, ast.Compare(left=node.left, ops=ops, comparators=node.comparators)
    elif isinstance(node, ast.BoolOp):
        flipped: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "boolean", node, ast.BoolOp(op=flipped, values=node.values)
        for index in range(len(node.values)):
            rest = node.values[:index] + node.values[index + 1 :]
            yield "boolean", node, rest[0] if len(rest) == 1 else ast.BoolOp(op=node.op, values=rest)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "boolean", node, node.operand
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
        yield "arithmetic", node, ast.BinOp(left=node.left, op=_BINOP_SWAPS[type(node.op)](), right=node.right)
    elif isinstance(node, ast.Constant) and id(node) not in skip:
        for operator, value in _constant_mutations(node.value):
            yield operator, node, ast.Constant(value)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _BUILTIN_SWAPS:
        yield "builtin", node.func, _BUILTIN_SWAPS[node.func.id]
    if isinstance(node, ast.stmt):
        yield from _statement_mutations(node)


def _constant_mutations(value: object) -> Iterator[tuple[str, bool | int | float | str]]:
    if isinstance(value, bool):
        yield "constant", not value
    elif isinstance(value, int):
        yield "boundary", value + 1
        yield "boundary", value - 1
    elif isinstance(value, float):
        if value == 0:
            yield "boundary", 1.0
        else:
            yield "boundary", value * 2
            yield "boundary", value / 2
    elif isinstance(value, str) and len(value) <= _SHORT_STRING:
        yield "constant", "" if value else "x"


def _statement_mutations(node: ast.stmt) -> Iterator[_Mutation]:
    if isinstance(node, ast.Expr):
        if not isinstance(node.value, ast.Constant):
            yield "statement", node, "pass"
    elif isinstance(node, _REMOVABLE):
        yield "statement", node, "pass"
    if isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return", node, "return None"
    elif isinstance(node, ast.Break):
        yield "loop", node, "continue"
    elif isinstance(node, ast.Continue):
        yield "loop", node, "break"
    elif isinstance(node, ast.AugAssign) and type(node.op) in _BINOP_SWAPS:
        swapped = ast.AugAssign(target=node.target, op=_BINOP_SWAPS[type(node.op)](), value=node.value)
        yield "arithmetic", node, swapped
    elif isinstance(node, ast.If | ast.While):
        # only the header's test changes: splicing the whole statement would re-indent its body
        yield "boolean", node.test, ast.UnaryOp(op=ast.Not(), operand=node.test)


def _except_edits(node: ast.ExceptHandler, offsets: _Offsets) -> Iterator[Edit]:
    if node.type is not None:
        start, end = offsets.span(node.type)
        yield Edit("except", node.lineno, start, end, "()")
    else:  # a bare `except:`: catch nothing instead
        begin = offsets.at(node.lineno, node.col_offset)
        keyword_end = begin + len("except")
        yield Edit("except", node.lineno, keyword_end, keyword_end, " ()")
