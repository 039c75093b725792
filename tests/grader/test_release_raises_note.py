"""Release step mark_raises: every raises-exception cell gets a note right above it saying why it fails."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from grader._cells import TAG_RAISES
from grader._nbio import cell_tags, load_notebook
from grader._registry import CheckRegistry
from grader.release import BuildContext, build_notebook
from grader.release._mark_raises import NOTE_KEY, note_text

from .conftest import CHECKS, COURSE

ROOT = Path(__file__).resolve().parents[2]


def _code(source: str, cid: str, *, tags: list[str] | None = None, ex: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"tags": tags} if tags else {}
    if ex:
        meta["weekfour"] = {"exercise": ex}
    return {"cell_type": "code", "id": cid, "metadata": meta, "source": source, "outputs": [], "execution_count": None}


def _fixture_with_raises_cells() -> dict[str, Any]:
    """The fixture notebook, plus a cell that fails on purpose and one that needs 91.1 through a story cell."""
    nb = load_notebook(COURSE / "solutions" / "91-fixture.ipynb")
    nb["cells"][-1:-1] = [
        _code('import json\njson.loads("{not json")', "on-purpose", tags=[TAG_RAISES]),
        _code("def quadruple(x):\n    return double(double(x))", "story"),
        _code("%time\nquadruple(3)", "via-story", tags=[TAG_RAISES]),
    ]
    return nb


def _build(nb: dict[str, Any]) -> dict[str, Any]:
    return build_notebook(nb, BuildContext("91-fixture.ipynb", 91, CheckRegistry([CHECKS], use_env=False)))


def _note_above(nb: dict[str, Any], cell_id: str) -> str:
    index = next(i for i, c in enumerate(nb["cells"]) if c.get("id") == cell_id)
    note = nb["cells"][index - 1]
    assert note["cell_type"] == "markdown" and note["metadata"] == {"weekfour": {NOTE_KEY: TAG_RAISES}}
    assert note["id"] == f"{cell_id}-note"
    return note["source"]


def test_a_cell_that_uses_no_solution_fails_on_purpose() -> None:
    assert "fails on purpose" in _note_above(_build(_fixture_with_raises_cells()), "on-purpose")


def test_a_cell_that_uses_a_solution_names_the_exercise() -> None:
    note = _note_above(_build(_fixture_with_raises_cells()), "c12")  # parse_answer("Sure! {")
    assert "needs your exercise 91.2" in note and "NotImplementedError" in note and "on purpose" not in note


def test_a_solution_used_through_an_earlier_cell_still_counts() -> None:
    assert "needs your exercise 91.1." in _note_above(_build(_fixture_with_raises_cells()), "via-story")


def test_only_raises_exception_cells_get_a_note_and_the_build_is_stable() -> None:
    nb = _fixture_with_raises_cells()
    built = _build(nb)
    notes = [c for c in built["cells"] if c["metadata"].get("weekfour", {}).get(NOTE_KEY)]
    assert len(notes) == 3
    assert len(built["cells"]) == len(nb["cells"]) + 3
    assert _build(copy.deepcopy(nb)) == built


def test_several_exercises_are_named_and_runs_shortened() -> None:
    assert "exercises 1.1 and 1.4." in note_text(["1.1", "1.4"])
    assert "exercises 5.1, 5.2, 5.4 and 5.5." in note_text(["5.1", "5.2", "5.4", "5.5"])
    assert "exercises 6.1 to 6.8." in note_text([f"6.{n}" for n in range(1, 9)])


def test_every_raises_exception_cell_of_the_course_is_marked_in_notebooks() -> None:
    marked = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = load_notebook(path)["cells"]
        for index, cell in enumerate(cells):
            if TAG_RAISES in cell_tags(cell):
                above = cells[index - 1]
                assert above["cell_type"] == "markdown", f"{path.name}, cell {index}"
                assert above["metadata"].get("weekfour", {}).get(NOTE_KEY) == TAG_RAISES, f"{path.name}, cell {index}"
                marked += 1
    assert marked >= 30
    cells = load_notebook(ROOT / "notebooks" / "04-fallbacks.ipynb")["cells"]
    customer = next(i for i, c in enumerate(cells) if TAG_RAISES in cell_tags(c))
    assert "fails on purpose" in cells[customer - 1]["source"]
