"""Release step ``_bring``: a solution cell that brings in other notebooks' solutions is generated, and kept so."""

from __future__ import annotations

import json
from pathlib import Path

from grader._nbio import dumps_notebook, load_notebook
from grader.release._bring import fill_brought


def _cell(source: str, exercise: str, **meta: object) -> dict[str, object]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": exercise.replace(".", "-"),
        "metadata": {"tags": ["solution"], "weekfour": {"exercise": exercise, **meta}},
        "outputs": [],
        "source": source,
    }


def _write(path: Path, cells: list[dict[str, object]]) -> None:
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(dumps_notebook(json.loads(json.dumps(nb))), encoding="utf-8")


def test_a_bringing_cell_is_the_named_solution_cells_whole_between_one_pair_of_markers(tmp_path: Path) -> None:
    _write(
        tmp_path / "01-first.ipynb",
        [
            _cell("def a():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", "1.1"),
            _cell("def b():\n    ### BEGIN SOLUTION\n    return 2\n    ### END SOLUTION", "1.2"),
        ],
    )
    stale = "# Paste a and b from notebook 01.\n### BEGIN SOLUTION\ndef a():\n    return 0\n### END SOLUTION"
    _write(tmp_path / "09-capstone.ipynb", [_cell(stale, "9.1", brings=["1.2", "1.1"])])
    nb = load_notebook(tmp_path / "09-capstone.ipynb")
    assert fill_brought(nb, tmp_path) == ["9.1"]
    assert nb["cells"][0]["source"] == (
        "# Paste a and b from notebook 01.\n### BEGIN SOLUTION\n"
        "def b():\n    return 2\n\n\ndef a():\n    return 1\n\n\n### END SOLUTION"
    )
    assert fill_brought(nb, tmp_path) == [], "a generated cell is stable"


def test_a_cell_that_brings_nothing_is_left_alone_and_a_missing_source_is_named(tmp_path: Path) -> None:
    _write(tmp_path / "09-capstone.ipynb", [_cell("x = 1", "9.1"), _cell("y = 2", "9.2", brings=["3.1"])])
    nb = load_notebook(tmp_path / "09-capstone.ipynb")
    try:
        fill_brought(nb, tmp_path)
    except LookupError as exc:
        assert "exercise 3.1 is brought in" in str(exc)
    else:
        raise AssertionError("a cell bringing in a notebook that does not exist must be an authoring error")
    assert nb["cells"][0]["source"] == "x = 1"
