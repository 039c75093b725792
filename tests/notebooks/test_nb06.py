"""Notebook 06 (week four in production): what only the capstone promises, on top of ``test_exercises.py``."""

from __future__ import annotations

from ._harness import Grades, assert_full_marks_and_zero, error_outputs, notebook, output_text

NB = notebook(6)


def test_pasted_exercises_reuse_the_original_checks() -> None:
    """A paste that breaks notebook 02's budget fails 6.2 with notebook 02's own teaching message."""
    result = NB.run("6.2", seed=3, overlay="def worst_case_cost(body, catalog):\n    return 0.0\n")
    assert not result.passed
    assert "[notebook 02, exercise 2.1's check `bounds_the_worst_case`]" in result.feedback, result.feedback


def test_the_solution_notebook_runs_top_to_bottom_with_its_numbers_on_screen() -> None:
    nb = NB.execute()
    assert not error_outputs(nb)
    text = output_text(nb)
    assert "hardened" in text and "day three" in text  # the closing table compares both months


def test_the_learner_version_runs_every_story_cell_with_the_stubs_in_place() -> None:
    # The paste cells (6.1-6.5) hold top-level code, so their stubs raise where they stand; every other cell runs.
    assert not error_outputs(NB.execute_learner(), except_tags=("check", "raises-exception", "solution"))


def test_the_grader_gives_the_solution_full_marks_and_the_learner_version_zero(graded: dict[int, Grades]) -> None:
    assert_full_marks_and_zero(6, graded[6])


def test_the_pasted_cells_bring_in_what_their_checks_rerun() -> None:
    """6.1-6.5's cells are generated from the exercises they bring in (release step ``_bring``); their checks rerun
    every check of the same exercises (``BRINGS`` in grader/checks/nb06.py): the two lists must be one."""
    from grader.checks.nb06 import BRINGS
    from grader.release._bring import brings

    cells = {c.metadata["weekfour"]["exercise"]: brings(c) for c in NB.read().cells if brings(c)}
    assert cells == {exercise: list(exercises) for exercise, (_, _, exercises) in BRINGS.items()}
