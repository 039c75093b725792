"""A failed check's feedback offers a replay seed; the line under it says where to set it."""

from __future__ import annotations

import io

import pytest

from grader._display import html_result, text_result
from grader._runner import CheckResult, ExerciseResult
from grader.grade._results import ExerciseScore, NotebookScore, SubmissionScore
from grader.grade.reports import print_submission


def _result(status: str, message: str) -> ExerciseResult:
    check = CheckResult(
        exercise="4.2", name="retries", points=0, max_points=4, status=status, message=message, hidden=False, seed=321
    )
    return ExerciseResult("4.2", "Retry with backoff", (check,))


def test_a_failed_check_says_where_to_set_the_seed() -> None:
    text = text_result(_result("failed", "Expected 3 attempts, got 1."))
    assert "(seed 321: set WEEKFOUR_SEED=321 to replay this run)" in text
    assert "`%env WEEKFOUR_SEED=321` in a cell of this notebook, then this check again" in text
    assert "`WEEKFOUR_SEED=321 make grade`" in text and "`%env WEEKFOUR_SEED=` clears it" in text
    assert "%env WEEKFOUR_SEED=321" in html_result(_result("failed", "Expected 3 attempts, got 1."))


def test_no_seed_no_replay_line() -> None:
    assert "%env" not in text_result(_result("not_attempted", "Exercise 4.2 is not attempted yet: ..."))
    assert "%env" not in text_result(_result("passed", ""))
    undefined = "`is_retryable` is not defined yet.\n(seed 9: set WEEKFOUR_SEED=9 to replay this run)"
    assert "%env" not in text_result(_result("failed", undefined))  # every seed fails it the same way


def test_make_grade_says_once_how_to_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    feedback = "Expected 3 attempts, got 1.\n(seed 77: set WEEKFOUR_SEED=77 to replay this run)"
    exercises = [ExerciseScore("4.2", 0, 4, False, feedback, "Retry"), ExerciseScore("4.3", 0, 4, False, feedback)]
    monkeypatch.setenv("COLUMNS", "100")
    out = io.StringIO()
    print_submission(SubmissionScore("me", "nb", [NotebookScore("nb/04-fallbacks.ipynb", exercises)]), file=out)
    text = " ".join(out.getvalue().split())
    assert text.count("To replay a run: `WEEKFOUR_SEED=77 make grade`") == 1
    assert "`%env WEEKFOUR_SEED=77` in a cell before `check()`" in text
