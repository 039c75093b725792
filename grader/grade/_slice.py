"""The graded copy, sliced to what the checks need: story cells no kept cell depends on are left out.

Four fifths of grading a solution notebook used to be replaying its story — demos, production replays, plots,
widgets — which no check reads. A cell is left out only when all of these hold:

* it is an **authored story cell, unchanged**: the hash of its source is in the story table the release build wrote
  (``story.json`` beside the checks: every story cell of every released notebook). Solution cells, the learner's
  own cells and story cells the learner edited (their hash is in no table) are always kept;
* the analysis can be sure of it: no ``%magic``/``!shell`` line, no ``globals()``, ``exec``, ``eval``, ``setattr``,
  ``import *`` or ``get_ipython()``;
* no kept cell reads a name it binds, and no kept cell reads a name whose object it may change at top level
  (``x.attr = ...``, ``x[k] = ...``, ``x += ...``, ``del x...``, ``x.method(...)`` — a module's functions aside).
  An object passed to a function is taken as read, not changed: the story's replays and plots take the agent they
  show, and what one of them could change in it would show in the sliced-versus-full test.

Names a kept cell reads are the global names it loads, at top level or inside the functions it defines (``symtable``:
their parameters and locals are not reads; every name it loads when that cannot be told); the graded cells read every
name the check modules ask a namespace for (``ns.function("guard")``, ``ns.get``, ``ns[...]``, ``... in ns``) and
every name the solution cells bind.
The analysis runs to a fixed point. ``python -m grader grade --full`` grades the whole notebook instead; a test grades
every fixture both ways and requires the same scores and feedback.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import symtable
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from grader._cells import META_KEY, STORY_FILE, is_check, is_code, is_solution, story_stamp
from grader._nbio import Cell, Notebook

__all__ = ["Uses", "analyse", "authored_story", "check_names", "slice_graded_copy"]

_OPAQUE_CALLS: Final = frozenset(
    {"globals", "locals", "vars", "exec", "eval", "compile", "__import__", "setattr", "delattr", "get_ipython"}
)


def authored_story(folders: Iterable[Path], number: int) -> frozenset[str]:
    """The hashes of notebook ``number``'s authored story cells, from the story tables of ``folders``."""
    found: set[str] = set()
    for folder in folders:
        try:
            data = json.loads((folder / STORY_FILE).read_text(encoding="utf-8"))
            hashes = data["notebooks"].get(f"{number:02d}", [])
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            continue
        found.update(h for h in hashes if isinstance(h, str))
    return frozenset(found)


@dataclass(slots=True)
class Uses:
    """What one cell binds, reads and may change, by name; ``opaque`` when that cannot be known."""

    binds: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    changes: set[str] = field(default_factory=set)
    imports: set[str] = field(default_factory=set)  # the names its imports bind (modules, mostly)
    unchanging: set[str] = field(default_factory=set)  # names it binds to a class or an immutable literal
    opaque: bool = False


def _base(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _immutable(node: ast.AST) -> bool:
    """A literal whose object nothing can change: a string, a number, an f-string, a tuple of those."""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(node, ast.BinOp):
        return _immutable(node.left) and _immutable(node.right)
    if isinstance(node, ast.Tuple):
        return all(_immutable(e) for e in node.elts)
    return False


class _TopLevel(ast.NodeVisitor):
    """Bindings and changes made by the cell's own statements (not inside the functions and classes it defines)."""

    def __init__(self, uses: Uses) -> None:
        self.uses = uses

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.uses.binds.add(node.name)
        for deco in node.decorator_list:
            self.visit(deco)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.uses.binds.add(node.name)
        self.uses.unchanging.add(node.name)  # calling a classmethod is taken as not changing the class

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return None

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.uses.binds.add(node.id)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            name = (alias.asname or alias.name).split(".")[0]
            self.uses.binds.add(name)
            self.uses.imports.add(name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.uses.opaque = True
            self.uses.binds.add(alias.asname or alias.name)
            if alias.name[:1].islower():  # a module or a function; classes (CamelCase) may hold state
                self.uses.imports.add(alias.asname or alias.name)

    def _changed(self, target: ast.AST) -> None:
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            name = _base(target)
            if name:
                self.uses.changes.add(name)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._changed(target)
            if isinstance(target, ast.Name) and _immutable(node.value):
                self.uses.unchanging.add(target.id)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        name = _base(node.target)
        if name:
            self.uses.changes.add(name)
            self.uses.reads.add(name)  # ``x += 1`` reads x first (symtable counts it as assigned only)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._changed(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._changed(target)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            name = _base(node.func)
            if name:
                self.uses.changes.add(name)
        self.generic_visit(node)


def _global_reads(source: str) -> set[str] | None:
    """The global names a cell reads — at top level, or from inside the functions and classes it defines (their own
    parameters and locals are not reads) — or None when ``symtable`` cannot tell (top-level ``await``)."""
    try:
        table = symtable.symtable(source, "<cell>", "exec")
    except (SyntaxError, ValueError):
        return None
    names: set[str] = set()
    stack: list[tuple[symtable.SymbolTable, bool]] = [(table, True)]
    while stack:
        current, top = stack.pop()
        for sym in current.get_symbols():
            if sym.is_referenced() and (top or sym.is_global()):
                names.add(sym.get_name())
        stack.extend((child, False) for child in current.get_children())
    return names


@functools.lru_cache(maxsize=4096)
def _analyse(source: str) -> Uses:
    uses = Uses()
    if any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
        uses.opaque = True
        return uses
    try:
        tree = compile(source, "<cell>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except (SyntaxError, ValueError):
        uses.opaque = True
        return uses
    scoped = _global_reads(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if scoped is None:
                uses.reads.add(node.id)
            if node.id in _OPAQUE_CALLS:
                uses.opaque = True
        elif isinstance(node, ast.Global):
            uses.binds.update(node.names)
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            uses.binds.add(node.target.id)
    if scoped is not None:
        uses.reads = scoped
    _TopLevel(uses).visit(tree)
    return uses


def analyse(source: str) -> Uses:
    """What a cell's source binds, reads and may change (a fresh copy: callers may keep it)."""
    found = _analyse(source)
    return Uses(
        set(found.binds), set(found.reads), set(found.changes), set(found.imports), set(found.unchanging), found.opaque
    )


_NS_READS: Final = frozenset({"function", "get"})


def _is_ns(node: ast.AST) -> bool:
    """``ns`` or ``ns.globals``: the learner's namespace as a check holds it."""
    if isinstance(node, ast.Attribute) and node.attr == "globals":
        node = node.value
    return isinstance(node, ast.Name) and node.id == "ns"


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _requested(path: str) -> frozenset[str]:
    """The names a check module asks a namespace for by name: ``ns.function("x")``, ``ns.get("x")``, ``ns["x"]``,
    ``"x" in ns``. (A name asked for through a variable is one a solution cell binds, kept anyway.)"""
    try:
        stat = os.stat(path)
    except OSError:
        return frozenset()
    return _requested_in(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=128)
def _requested_in(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    """:func:`_requested` for one version of the file (a cohort reads each check module once, not per learner)."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    names: set[str | None] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _NS_READS:
            if _is_ns(node.func.value) and node.args:
                names.add(_string(node.args[0]))
        elif isinstance(node, ast.Subscript) and _is_ns(node.value):
            names.add(_string(node.slice))
        elif isinstance(node, ast.Compare) and any(_is_ns(c) for c in node.comparators):
            names.add(_string(node.left))
    return frozenset(n for n in names if n is not None and n.isidentifier())


def check_names(modules: Iterable[str]) -> frozenset[str]:
    """Every name the check modules ask a learner's namespace for (see :func:`_requested`)."""
    names: set[str] = set()
    for name in modules:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if path:
            names |= _requested(path)
    return frozenset(names)


def _droppable(cell: Cell, authored: frozenset[str]) -> bool:
    if "graded" in _meta(cell) or is_solution(cell) or is_check(cell):
        return False
    return story_stamp(cell.get("source", "")) in authored


def slice_graded_copy(
    graded: Notebook, *, authored: frozenset[str], needed_by_checks: Iterable[str]
) -> tuple[Notebook, int]:
    """``graded`` without the story cells no kept cell depends on, and how many code cells were left out.
    ``authored``: the notebook's story table (:func:`authored_story`)."""
    cells: list[Cell] = graded["cells"]
    code = [i for i, c in enumerate(cells) if is_code(c)]
    uses: dict[int, Uses] = {i: analyse(cells[i].get("source", "")) for i in code if "graded" not in _meta(cells[i])}
    # Calling a module's function, a class's classmethod or a string's method changes none of them — when every
    # binding of the name in the notebook is of that kind.
    bound_otherwise = set().union(*(u.binds - u.imports - u.unchanging for u in uses.values())) if uses else set()
    steady = set().union(*(u.imports | u.unchanging for u in uses.values())) - bound_otherwise if uses else set()
    for u in uses.values():
        u.changes -= steady
    candidates = {i for i in code if _droppable(cells[i], authored) and not uses[i].opaque}
    kept = [i for i in code if i not in candidates]
    needed: set[str] = set(needed_by_checks)
    for i in kept:
        if i in uses:
            needed |= uses[i].reads
            if is_solution(cells[i]):
                needed |= uses[i].binds
    changed = True
    while changed:
        changed = False
        for i in sorted(candidates):
            if uses[i].binds & needed or uses[i].changes & needed:
                candidates.discard(i)
                needed |= uses[i].reads
                changed = True
    out = {key: value for key, value in graded.items() if key != "cells"}
    out["cells"] = [c for i, c in enumerate(cells) if i not in candidates]
    return out, len(candidates)


def _meta(cell: Cell) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get(META_KEY)
    return meta if isinstance(meta, dict) else {}
