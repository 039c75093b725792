"""Notebook 05 (prompt drift): what only this notebook promises, on top of ``test_exercises.py``."""

from __future__ import annotations

from ._harness import WRONG, Grades, WrongAnswer, assert_full_marks_and_zero, error_outputs, notebook, output_text

NB = notebook(5)


def test_every_exercise_is_worth_real_points() -> None:
    exercises = NB.exercises()
    assert all(info.max_points >= 4 for info in exercises.values()), {ex: i.max_points for ex, i in exercises.items()}
    assert sum(info.max_points for info in exercises.values()) >= 20


def test_the_checks_teach_without_giving_the_solution_away() -> None:
    wrong = WrongAnswer.read(WRONG / "nb05" / "week_one_lax_parser.py")
    result = NB.run("5.4", seed=7, overlay=wrong)
    assert "parse_strict should" in result.feedback
    assert "model_validate" not in result.feedback and "re.search" not in result.feedback


def test_the_solution_notebook_runs_top_to_bottom() -> None:
    nb = NB.execute()
    assert not error_outputs(nb)
    text = output_text(nb)
    assert "unsupported_parameter" in text  # production broke, for real
    assert "BLOCKED" in text and "DEPLOY" in text  # the gate caught the update and let the migration through


def test_the_grader_gives_the_solution_full_marks_and_the_learner_version_zero(graded: dict[int, Grades]) -> None:
    assert_full_marks_and_zero(5, graded[5])
    for exercise in graded[5].learner.exercises:  # every exercise here is a stub that raises
        assert "NotImplementedError" in exercise.feedback, (exercise.id, exercise.feedback)
