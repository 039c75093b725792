"""The graded copy: learner edits to check cells cannot change what is graded."""

from __future__ import annotations

from typing import Any

from grader._nbio import load_notebook
from grader._registry import CheckRegistry
from grader.grade import make_graded_copy

from .conftest import CHECKS, PRIVATE, SUBMISSIONS

EXERCISES = CheckRegistry([CHECKS, PRIVATE], use_env=False).exercises(91)


def _graded(case: str) -> list[dict[str, Any]]:
    nb = make_graded_copy(load_notebook(SUBMISSIONS / case / "91-fixture.ipynb"), EXERCISES)
    return nb["cells"]


def _layout(cells: list[dict[str, Any]]) -> list[str]:
    out = []
    for c in cells:
        meta = c["metadata"].get("weekfour", {})
        if "graded" in meta:
            out.append(f"graded {meta['graded']['exercise']}/{meta['graded']['check']}")
        elif "solution" in c["metadata"].get("tags", []):
            out.append(f"solution {meta['exercise']}")
    return out


EXPECTED = [
    "solution 91.1",
    "graded 91.1/doubles_numbers",
    "solution 91.2",
    "graded 91.2/parses_objects",
    "graded 91.2/rejects_prose",
    "graded 91.2/rejects_json_that_is_not_an_object",
    "solution 91.3",
    "graded 91.3/counts_words",
]


def test_every_check_function_gets_its_own_cell_after_the_solution() -> None:
    assert _layout(_graded("unsolved")) == EXPECTED


def test_edited_moved_and_deleted_check_cells_are_restored() -> None:
    for case in ("check-cell-edited", "check-cell-moved", "check-cell-deleted"):
        cells = _graded(case)
        assert _layout(cells) == EXPECTED, case
        assert not any(c["source"] in ("pass", 'check("91.3")') for c in cells), case


def test_forged_grading_metadata_is_stripped() -> None:
    cells = _graded("forged-graded-cell")
    forged = next(c for c in cells if c.get("id") == "forged")
    assert "graded" not in forged["metadata"].get("weekfour", {})
    assert _layout(cells) == EXPECTED


def test_checks_of_a_deleted_solution_cell_go_to_the_end() -> None:
    nb = load_notebook(SUBMISSIONS / "solved" / "91-fixture.ipynb")
    nb["cells"] = [c for c in nb["cells"] if c["metadata"].get("weekfour", {}).get("exercise") != "91.1"]
    cells = make_graded_copy(nb, EXERCISES)["cells"]
    assert _layout(cells)[-1] == "graded 91.1/doubles_numbers"
