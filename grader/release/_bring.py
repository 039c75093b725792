"""Solution cells that bring in other notebooks' solutions: generated in the source notebook, never edited by hand.

The capstone asks the learner to paste their fixes from notebooks 01-05. Its solution cells are therefore copies, and
copies drift; so they are generated. A solution cell whose metadata names the exercises it brings in::

    {"weekfour": {"exercise": "6.3", "brings": ["3.1", "3.2"]}}

gets, on every release, the source: its own lines above ``### BEGIN SOLUTION`` (a comment telling the learner what
to paste), then the solution cells of those exercises, in the order named, each cell whole (its scaffolding and the
code between its markers, the markers themselves removed), between one pair of markers. ``make release`` rewrites
such cells in ``solutions/`` first, then builds ``notebooks/``; ``release --check`` reports one that is out of step.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from grader._cells import BEGIN, END, META_KEY, exercise_id, is_solution, notebook_number
from grader._nbio import Notebook, load_notebook

__all__ = ["BRINGS_KEY", "brings", "fill_brought"]

BRINGS_KEY = "brings"


def brings(cell: dict[str, object]) -> list[str]:
    """The exercise ids a solution cell brings in ([] for an ordinary cell)."""
    meta = cell.get("metadata", {})
    value = meta.get(META_KEY, {}).get(BRINGS_KEY) if isinstance(meta, dict) else None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _unmarked(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if line.strip() not in (BEGIN, END)).strip("\n")


def _solution_cells(folder: Path, exercise: str) -> list[str]:
    number = int(exercise.split(".")[0])
    found = [p for p in sorted(folder.glob("*.ipynb")) if notebook_number(p.name) == number]
    if len(found) != 1:
        raise LookupError(f"exercise {exercise} is brought in, but {folder}/ has no single notebook {number:02d}")
    cells = [c["source"] for c in load_notebook(found[0])["cells"] if is_solution(c) and exercise_id(c) == exercise]
    if not cells:
        raise LookupError(f"exercise {exercise} is brought in, but {found[0].name} has no solution cell for it")
    return cells


def _generated(source: str, sources: Sequence[str]) -> str:
    header = []
    for line in source.splitlines():
        if line.strip() == BEGIN:
            break
        header.append(line)
    body = "\n\n\n".join(_unmarked(s) for s in sources)
    # ruff's layout: two blank lines between a function's body and the top-level comment that ends the region
    gap = "\n\n" if body.splitlines() and body.splitlines()[-1][:1].isspace() else ""
    return "\n".join([*header, BEGIN, body + gap, END])


def fill_brought(nb: Notebook, folder: Path) -> list[str]:
    """Regenerate, in place, every solution cell of ``nb`` that brings in exercises from ``folder``'s notebooks.

    Returns the exercise ids of the cells whose source changed.
    """
    changed = []
    for cell in nb["cells"]:
        wanted = brings(cell)
        if not wanted or not is_solution(cell):
            continue
        sources = [s for exercise in wanted for s in _solution_cells(folder, exercise)]
        new = _generated(cell["source"], sources)
        if new != cell["source"]:
            cell["source"] = new
            changed.append(exercise_id(cell) or "?")
    return changed
