"""A solution notebook as the checks see it, with no kernel: the setup cell, then every solution cell, executed.

This is the *solved namespace*: what a learner who got every exercise right would have in their kernel when a check
runs. Wrong-answer fixtures are overlaid on it, and mutants replace one solution cell of it. A few story cells hold
names that solution cells read when they are called (a catalog, a prompt); they run too, found by how they start.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Any, Final

from grader._cells import exercise_id, is_code, is_solution
from grader._nbio import load_notebook
from grader.release._bring import brings

__all__ = ["SolutionCell", "SolvedNotebook", "find_solution"]

# Story cells (besides the setup cell) that solution cells read at call time, by how their source starts.
NEEDED_STORY_CELLS: Final[dict[int, tuple[str, ...]]] = {5: ("CATALOG = ",), 6: ("REASK",)}


def _compile(source: str, filename: str) -> CodeType:
    # dont_inherit: this module's `from __future__ import annotations` must not leak into the notebook's code
    # (pydantic would then see string annotations it cannot resolve outside a real module).
    return compile(source, filename, "exec", dont_inherit=True)


@dataclass(frozen=True, slots=True)
class SolutionCell:
    """One solution cell: its position among the executed cells, its exercise, its source."""

    position: int
    exercise: str
    source: str
    brings: tuple[str, ...] = ()  # the exercises this cell is generated from (release step _bring), if any


def find_solution(folder: Path, number: int) -> Path:
    """``folder/NN-*.ipynb`` for a notebook number; a clear error when there is not exactly one."""
    found = sorted(folder.glob(f"{number:02d}-*.ipynb"))
    if len(found) != 1:
        raise LookupError(
            f"expected one {folder}/{number:02d}-*.ipynb, found {[p.name for p in found] or 'none'}: "
            "run this from the course repository's top folder"
        )
    return found[0]


class SolvedNotebook:
    """The executed part of ``solutions/NN-*.ipynb``; :meth:`namespace` builds a fresh solved namespace."""

    def __init__(self, path: Path, number: int) -> None:
        self.path = path
        self.number = number
        code = [c for c in load_notebook(path)["cells"] if is_code(c)]
        also = NEEDED_STORY_CELLS.get(number, ())
        chosen = [code[0], *(c for c in code[1:] if is_solution(c) or (also and c["source"].startswith(also)))]
        self.sources: tuple[str, ...] = tuple(c["source"] for c in chosen)
        self.solution_cells: tuple[SolutionCell, ...] = tuple(
            SolutionCell(i, exercise_id(c) or "", c["source"], tuple(brings(c)))
            for i, c in enumerate(chosen)
            if is_solution(c)
        )

    @functools.cached_property
    def _code(self) -> tuple[CodeType, ...]:
        return tuple(_compile(s, f"<solutions/{self.path.name}>") for s in self.sources)

    def cells_of(self, exercise: str) -> list[SolutionCell]:
        return [c for c in self.solution_cells if c.exercise == exercise]

    def namespace(self, *, replace: Mapping[int, str] | None = None, overlay: CodeType | None = None) -> dict[str, Any]:
        """A fresh solved namespace; ``replace`` swaps the source of executed cells (by position) first."""
        ns: dict[str, Any] = {"__name__": "__main__"}
        for position, code in enumerate(self._code):
            if replace and position in replace:
                code = _compile(replace[position], f"<mutant of solutions/{self.path.name}>")
            exec(code, ns)
        if overlay is not None:
            exec(overlay, ns)
        return ns
