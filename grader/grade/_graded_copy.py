"""The graded copy of a learner's notebook: their cells, with the canonical checks put back.

Every cell tagged ``check`` (or that is just a ``check("ID")`` call) is removed, and any grading metadata a learner
could have forged is stripped. Then, after the learner's solution cell of each exercise (or at the end when they
deleted it), one cell per check function is injected — public and hidden — carrying ``weekfour.graded`` metadata the
pytest plugin maps to points. Editing, moving or deleting check cells therefore cannot change a score. Each learner
cell keeps its place in their notebook (``weekfour.origin``, counting every cell from 1), so feedback and integrity
flags name the cell the learner sees.
"""

from __future__ import annotations

import copy
from typing import Final

from grader._cells import META_KEY, check_call_id, exercise_id, is_check, is_code, is_solution
from grader._nbio import Cell, Notebook
from grader._registry import ExerciseInfo

__all__ = ["ORIGIN", "graded_cell_source", "make_graded_copy"]

ORIGIN: Final = "origin"  # metadata of each learner cell in the graded copy: its place in their notebook, from 1


def graded_cell_source(ex_id: str, check: str) -> str:
    return f'from grader._kernel import run_graded as _wf_run_graded\n_wf_run_graded("{ex_id}", "{check}")'


def _graded_cells(info: ExerciseInfo, with_ids: bool) -> list[Cell]:
    cells = []
    for spec in info.checks:
        cell: Cell = {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {
                META_KEY: {
                    "graded": {"exercise": info.id, "check": spec.name, "points": spec.points, "hidden": spec.hidden}
                }
            },
            "outputs": [],
            "source": graded_cell_source(info.id, spec.name),
        }
        if with_ids:
            cell["id"] = f"wf-graded-{info.id.replace('.', '-')}-{spec.name}"[:64]
        cells.append(cell)
    return cells


def _learner_cell(cell: Cell, origin: int) -> Cell | None:
    """The learner's cell as it may run in the graded copy, or None when it must go."""
    if is_check(cell) or (is_code(cell) and check_call_id(cell.get("source", "")) is not None):
        return None
    out = copy.deepcopy(cell)
    metadata = out.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        metadata = out["metadata"] = {}
    meta = metadata.get(META_KEY)
    if not isinstance(meta, dict):
        meta = metadata[META_KEY] = {}
    meta.pop("graded", None)
    meta[ORIGIN] = origin
    if is_code(out):
        out["outputs"] = []
        out["execution_count"] = None
    return out


def make_graded_copy(nb: Notebook, exercises: dict[str, ExerciseInfo]) -> Notebook:
    with_ids = nb.get("nbformat_minor", 0) >= 5
    anchors: dict[str, int] = {}
    cells: list[Cell] = []
    for origin, cell in enumerate(nb["cells"], start=1):
        kept = _learner_cell(cell, origin)
        if kept is None:
            continue
        cells.append(kept)
        ex_id = exercise_id(kept)
        if is_solution(kept) and ex_id in exercises:
            anchors[ex_id] = len(cells) - 1  # the last solution cell of an exercise wins
    inserts: dict[int, list[Cell]] = {}
    for ex_id, info in exercises.items():
        position = anchors.get(ex_id, len(cells) - 1)
        inserts.setdefault(position, []).extend(_graded_cells(info, with_ids))
    out_cells: list[Cell] = list(inserts.get(-1, []))
    for index, cell in enumerate(cells):
        out_cells.append(cell)
        out_cells.extend(inserts.get(index, []))
    graded = {key: value for key, value in nb.items() if key != "cells"}
    graded["cells"] = out_cells
    return graded
