"""Grading one submission says which notebook it is on: "grading 2/7 [01-hallucination.ipynb]"."""

from __future__ import annotations

import pytest

from grader._registry import CheckRegistry
from grader.grade import find_submission, grade_cohort, grade_submission

from .conftest import CHECKS, COURSE, SUBMISSIONS

EXPECTED = sorted(p.name for p in (COURSE / "solutions").glob("*.ipynb"))


def test_each_notebook_is_announced_in_order_as_it_starts() -> None:
    heard: list[tuple[int, int, str]] = []
    sub = find_submission(SUBMISSIONS / "solved", EXPECTED)
    result = grade_submission(
        sub, registry=CheckRegistry([CHECKS], use_env=False), timeout=5, on_notebook=lambda *a: heard.append(a)
    )
    assert heard == [(1, 2, "91-fixture.ipynb"), (2, 2, "92-extra.ipynb")]
    assert result.score == result.max_score


def test_one_submission_shows_a_bar_over_its_notebooks(capsys: pytest.CaptureFixture[str]) -> None:
    sub = find_submission(SUBMISSIONS / "unsolved", EXPECTED)
    (result,) = grade_cohort([sub], registry=CheckRegistry([CHECKS], use_env=False), timeout=5)
    err = capsys.readouterr().err
    assert "notebook" in err and "92-extra.ipynb" in err and f"{result.score}/{result.max_score}" in err


def test_a_grader_failure_reports_its_kind_and_prints_the_traceback_for_the_instructor(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise SystemError("/tmp/weekfour-grade-x/scratch: a path the learner must not see")

    monkeypatch.setattr("grader.grade._cohort.grade_submission", broken)
    sub = find_submission(SUBMISSIONS / "unsolved", EXPECTED)
    (result,) = grade_cohort([sub], registry=CheckRegistry([CHECKS], use_env=False), timeout=5, progress=False)
    feedback = " ".join(nb.error or "" for nb in result.notebooks)
    assert "the grader failed (SystemError)" in feedback and "Grade it again alone" in feedback
    assert "weekfour-grade-x" not in feedback
    err = capsys.readouterr().err
    assert "Traceback" in err and "SystemError: /tmp/weekfour-grade-x/scratch" in err and "unsolved" in err
