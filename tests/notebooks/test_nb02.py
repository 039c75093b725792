"""Notebook 02 (runaway spend): what only this notebook promises, on top of ``test_exercises.py``."""

from __future__ import annotations

from ._harness import Grades, assert_full_marks_and_zero, error_outputs, notebook, output_text

NB = notebook(2)


def test_the_solution_notebook_runs_top_to_bottom_with_its_demos_on_screen() -> None:
    nb = NB.execute()
    assert not error_outputs(nb)
    text = output_text(nb)
    assert "Refused before sending" in text  # the demo of both clients behind one budget
    assert "initial state: $" in text  # the widget computed its night headless


def test_the_grader_gives_the_solution_full_marks_and_the_learner_version_zero(graded: dict[int, Grades]) -> None:
    assert_full_marks_and_zero(2, graded[2])
    for exercise in graded[2].learner.exercises:  # every exercise here is a stub that raises
        assert "NotImplementedError" in exercise.feedback, (exercise.id, exercise.feedback)
