"""Learner cells that reach for the grader's internals, found by reading them (never run): integrity flags.

A notebook of this course needs nothing of the grader but ``check`` and ``progress``; nothing in it needs frames,
tracing hooks, ``gc`` walks, ``ctypes``, the grader's result files, other processes, or a class of its own that decides
how its objects compare (``__eq__``: an object equal to anything passes a check in both runs alike). A cell that
names one of those is not proof of tampering — it is worth an instructor's look, and the flag says where (cell and
line). Points are decided elsewhere (the verdict process), never here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Final

from grader._cells import is_code
from grader._nbio import Notebook

__all__ = ["Reach", "scan_cell", "scan_notebook"]

_ALLOWED_FROM_GRADER: Final = frozenset({"check", "progress"})
_ATTRIBUTES: Final = {
    "set_custom_exc": "an IPython exception hook (set_custom_exc)",
    "settrace": "a tracing hook (settrace)",
    "setprofile": "a profiling hook (setprofile)",
    "addaudithook": "an audit hook",
    "get_objects": "a walk over every object (gc.get_objects)",
    "get_referrers": "a walk over objects (gc.get_referrers)",
    "get_referents": "a walk over objects (gc.get_referents)",
    "_getframe": "the call stack (sys._getframe)",
    "_current_frames": "other threads' frames",
    "currentframe": "the call stack (inspect.currentframe)",
    "f_back": "the call stack (f_back)",
    "tb_frame": "the call stack (tb_frame)",
    "f_globals": "a frame's globals",
    "f_locals": "a frame's locals",
    "__globals__": "a function's globals",
    "__code__": "a function's code",
    "__closure__": "a function's closure",
    "start_new_session": "a process that outlives the kernel",
    "fork": "a new process (fork)",
}
_STRINGS: Final = {
    "/proc/": "other processes (/proc)",
    "WEEKFOUR_RESULTS": "the grader's result file",
    "checks.jsonl": "the grader's result file",
    "cells.json": "the grader's cell results",
    "_wf_run_graded": "the grader's graded cells",
    "post_execute": "an IPython event hook",
    "pre_run_cell": "an IPython event hook",
    "post_run_cell": "an IPython event hook",
}
# A class of the learner's that decides how its objects compare can equal anything the check expects: both runs of
# the notebook then agree that it passed. Nothing in this course needs one, so it is flagged wherever it is defined.
_COMPARISONS: Final = frozenset(
    {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__instancecheck__", "__subclasscheck__"}
)
_MODULES: Final = {"ctypes": "ctypes", "_ctypes": "ctypes", "gc": "the garbage collector (gc)"}


class Reach:
    """One thing a cell reaches for: its line and what it is."""

    __slots__ = ("detail", "line")

    def __init__(self, line: int, detail: str) -> None:
        self.line = line
        self.detail = detail

    def __repr__(self) -> str:
        return f"Reach(line={self.line}, detail={self.detail!r})"


def _imports(node: ast.AST) -> Iterator[tuple[int, str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            top = alias.name.split(".")[0]
            if alias.name.startswith("grader."):
                yield node.lineno, f"imports the grader's internals ({alias.name})"
            elif top in _MODULES:
                yield node.lineno, f"imports {_MODULES[top]}"
    elif isinstance(node, ast.ImportFrom) and node.module:
        top = node.module.split(".")[0]
        if node.module.startswith("grader."):
            yield node.lineno, f"imports the grader's internals ({node.module})"
        elif node.module == "grader":
            for alias in node.names:
                if alias.name not in _ALLOWED_FROM_GRADER:
                    yield node.lineno, f"imports grader.{alias.name} (only check and progress are for notebooks)"
        elif top in _MODULES:
            yield node.lineno, f"imports {_MODULES[top]}"


_COMPARE: Final = "an object that decides how it compares can pass any check"


def _dunders(node: ast.ClassDef) -> Iterator[tuple[int, str]]:
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in _COMPARISONS:
            yield item.lineno, item.name
        elif isinstance(item, (ast.Assign, ast.AnnAssign)):
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in _COMPARISONS:
                    yield item.lineno, target.id


def scan_cell(source: str) -> list[Reach]:
    """What one cell's code reaches for (IPython syntax is turned into Python first; a cell that does not parse
    reaches for nothing here — the run reports it)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        text = TransformerManager().transform_cell(source)
    except Exception:  # a cell IPython cannot transform either: read it as it is
        text = source
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found: dict[tuple[int, str], None] = {}
    for node in ast.walk(tree):
        for line, detail in _imports(node):
            found[(line, detail)] = None
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "grader" and node.attr not in _ALLOWED_FROM_GRADER:
                found[(node.lineno, f"uses the grader's internals (grader.{node.attr})")] = None
            elif node.attr in _ATTRIBUTES:
                found[(node.lineno, f"reaches for {_ATTRIBUTES[node.attr]}")] = None
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for needle, detail in _STRINGS.items():
                if needle in node.value:
                    found[(node.lineno, f"names {detail}")] = None
            if node.value in _COMPARISONS:
                found[(node.lineno, f"names {node.value}: {_COMPARE}")] = None
        elif isinstance(node, ast.ClassDef):
            for line, name in _dunders(node):
                found[(line, f"defines {name}: {_COMPARE}")] = None
    return [Reach(line, detail) for line, detail in sorted(found)]


def scan_notebook(nb: Notebook) -> list[tuple[int, Reach]]:
    """``(cell, reach)`` for every code cell of ``nb``, cells counted from 1 as they stand in the notebook."""
    out: list[tuple[int, Reach]] = []
    for index, cell in enumerate(nb.get("cells", []), start=1):
        if not is_code(cell):
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        out.extend((index, reach) for reach in scan_cell(text))
    return out
