"""Notebook 03 (latency): what only this notebook promises, on top of ``test_exercises.py``."""

from __future__ import annotations

from ._harness import Grades, assert_full_marks_and_zero, error_outputs, notebook

NB = notebook(3)


def test_the_solution_notebook_runs_top_to_bottom() -> None:
    assert not error_outputs(NB.execute())


def test_the_learner_version_runs_every_story_cell_with_the_stubs_in_place() -> None:
    assert not error_outputs(NB.execute_learner(), except_tags=("check", "raises-exception"))


def test_the_grader_gives_the_solution_full_marks_and_the_learner_version_zero(graded: dict[int, Grades]) -> None:
    assert_full_marks_and_zero(3, graded[3])
