"""Reset one exercise: its solution cells become the released stub again; the notebook as it was goes to a backup.

Cells are matched by id (the release keeps them), then by exercise: a solution cell of the exercise the learner
deleted comes back right above the exercise's check cell. The reset cells lose their outputs. Nothing else in the
notebook changes: other exercises, notes, the learner's own cells stay as they are.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from grader._cells import exercise_id, is_check, is_solution
from grader._nbio import Cell, Notebook, dumps_notebook, load_notebook
from grader.reset._released import released_notebook

__all__ = ["BACKUPS", "ResetError", "ResetReport", "reset_exercise"]

BACKUPS: Final = ".backups"  # beside the notebook: hidden in JupyterLab's file browser, never graded


class ResetError(ValueError):
    """The exercise cannot be reset as asked; the message says what to do."""


@dataclass(frozen=True, slots=True)
class ResetReport:
    notebook: Path
    exercise: str
    cells: int  # solution cells reset
    backup: Path
    released_from: str


def _stub_cells(released: Notebook, exercise: str) -> list[Cell]:
    return [c for c in released["cells"] if is_solution(c) and exercise_id(c) == exercise]


def _fresh(cell: Cell) -> Cell:
    out = copy.deepcopy(cell)
    out["outputs"], out["execution_count"] = [], None
    return out


def _backup_path(path: Path, exercise: str) -> Path:
    folder = path.parent / BACKUPS
    n = 1
    while (folder / f"{path.stem}.{exercise}.{n}.ipynb").exists():
        n += 1
    return folder / f"{path.stem}.{exercise}.{n}.ipynb"


def _replace(nb: Notebook, stubs: list[Cell], exercise: str) -> None:
    cells = nb["cells"]
    by_id = {c.get("id"): i for i, c in enumerate(cells)}
    mine = [i for i, c in enumerate(cells) if is_solution(c) and exercise_id(c) == exercise]
    for n, stub in enumerate(stubs):
        index = by_id.get(stub.get("id"))
        if index is None and n < len(mine):
            index = mine[n]
        if index is not None:
            cells[index] = _fresh(stub)
            continue
        check = next((i for i, c in enumerate(cells) if is_check(c) and exercise_id(c) == exercise), None)
        if check is None:
            raise ResetError(
                f"exercise {exercise}'s solution cell and its check cell are both gone from the notebook: restore "
                "the notebook from git, or from a backup, first"
            )
        cells.insert(check, _fresh(stub))


def reset_exercise(path: Path, exercise: str, *, source: Path | None = None) -> ResetReport:
    """Reset ``exercise`` in the notebook at ``path`` to its released stub; the old notebook goes to a backup."""
    nb = load_notebook(path)
    released, released_from = released_notebook(path, source=source)
    stubs = _stub_cells(released, exercise)
    if not stubs:
        known = sorted({e for c in released["cells"] if is_solution(c) and (e := exercise_id(c))})
        raise ResetError(
            f"{path.name} has no exercise {exercise}; its exercises are {', '.join(known) or 'none'}: "
            f"e.g. python -m grader reset {path} {known[0] if known else '1.1'}"
        )
    before = dumps_notebook(nb)
    _replace(nb, stubs, exercise)
    after = dumps_notebook(nb)
    backup = _backup_path(path, exercise)
    backup.parent.mkdir(exist_ok=True)
    backup.write_text(before, encoding="utf-8")
    temporary = path.with_name(f".{path.name}.resetting")
    temporary.write_text(after, encoding="utf-8")
    os.replace(temporary, path)  # all or nothing: a crash leaves the old notebook, never half a new one
    return ResetReport(path, exercise, len(stubs), backup, released_from)
