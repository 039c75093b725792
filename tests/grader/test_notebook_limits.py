"""A notebook file's structure is bounded: past a bound it is refused with a message, never a crash of the grader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader._nbio import MAX_CELL_CHARS, MAX_CELLS, MAX_DEPTH, NotebookError, loads_notebook
from grader._registry import CheckRegistry
from grader.grade import find_submission, grade_submission

from .conftest import CHECKS


def _notebook(cells: list[dict[str, object]], **extra: object) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **extra})


@pytest.mark.parametrize(
    ("case", "text", "says"),
    [
        ("json_nested_100000_deep", "[" * 100_000 + "]" * 100_000, "nests its JSON too deeply"),
        (
            "metadata_nested_past_the_bound",
            _notebook([], extra=json.loads("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))),
            f"more than {MAX_DEPTH} deep",
        ),
        (
            "too_many_cells",
            _notebook([{"cell_type": "code", "source": ""}] * (MAX_CELLS + 1)),
            f"more than {MAX_CELLS}",
        ),
        (
            "one_huge_cell",
            _notebook([{"cell_type": "code", "source": "x" * (MAX_CELL_CHARS + 1)}]),
            "cell 1 holds more than",
        ),
    ],
)
def test_a_notebook_past_a_bound_is_refused_with_a_message(case: str, text: str, says: str) -> None:
    with pytest.raises(NotebookError, match=says):
        loads_notebook(text, name="91-fixture.ipynb")


def test_a_course_notebook_is_well_inside_the_bounds() -> None:
    root = Path(__file__).resolve().parents[2]
    for path in sorted((root / "solutions").glob("*.ipynb")):
        loads_notebook(path.read_text(), name=path.name)  # raises past a bound


def test_a_deeply_nested_submission_scores_zero_at_its_full_maximum(tmp_path: Path) -> None:
    (tmp_path / "91-fixture.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    registry = CheckRegistry([CHECKS], use_env=False)
    sub = find_submission(tmp_path, ["91-fixture.ipynb"])
    result = grade_submission(sub, registry=registry, timeout=5)
    (notebook,) = result.notebooks
    full = sum(ex.max_points for ex in registry.exercises(91).values())
    assert notebook.score == 0 and notebook.max_score == full > 0 and not notebook.ungradable
    assert notebook.error is not None and "nests its JSON too deeply" in notebook.error
