"""Notebook 01 (hallucination): what only this notebook promises, on top of ``test_exercises.py``."""

from __future__ import annotations

from ._harness import Grades, assert_full_marks_and_zero, error_outputs, notebook

NB = notebook(1)


def test_every_exercise_has_a_hidden_check() -> None:
    assert all(any(c.hidden for c in info.checks) for info in NB.exercises().values())


def test_the_solution_notebook_runs_top_to_bottom_with_its_numbers_on_screen() -> None:
    nb = NB.execute()
    assert not error_outputs(nb)
    data = [o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in d for d in data), "the threshold slider is not shown"
    assert sum("image/png" in d for d in data) >= 3, "the plots are missing"
    before_after = next(
        d["text/plain"] for d in data if "guarded" in d.get("text/plain", "") and "day three" in d.get("text/plain", "")
    )
    wrong_row = next(line for line in before_after.splitlines() if line.startswith("wrong answers passed on"))
    before, after = (int(v) for v in wrong_row.split()[-2:])
    assert before > 0 and after == 0, wrong_row


def test_the_grader_gives_the_solution_full_marks_and_the_learner_version_zero(graded: dict[int, Grades]) -> None:
    assert_full_marks_and_zero(1, graded[1])
