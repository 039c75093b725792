"""check() and progress(): plain text outside Jupyter, rich HTML in a real kernel, and a short error either way."""

from __future__ import annotations

import json

import pytest

import grader._kernel
from grader import CheckError, check, progress
from grader._kernel import progress_results

from .conftest import COURSE


def double(x: int) -> int:  # the "learner's" solution: check() reads the caller's globals outside IPython
    return 2 * x


def count_words(text: str) -> dict[str, int]:  # a plausible wrong answer: it ignores repeated words
    return {w: 1 for w in text.split()}


def test_check_passes_on_the_callers_code_and_prints_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    check("91.1")
    out = capsys.readouterr().out
    assert out.startswith("✓ Exercise 91.1 — Doubling: passed (1/1 points)")


def test_check_raises_a_short_teaching_error_when_the_code_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CheckError) as info:
        check("91.3")
    message = str(info.value)
    assert "count_words should count each word" in message and "expected:" in message
    assert info.value._render_traceback_() == message.splitlines()
    assert "✗ Exercise 91.3" in capsys.readouterr().out


def test_check_says_what_to_do_for_an_unknown_or_malformed_id() -> None:
    with pytest.raises(CheckError, match="There is no exercise 91.9"):
        check("91.9")
    with pytest.raises(CheckError, match="NOTEBOOK.EXERCISE"):
        check("nine")


def test_check_never_runs_hidden_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEEKFOUR_CHECKS", f"{COURSE / 'checks'}:{COURSE / 'private'}")
    ran: list[str] = []
    monkeypatch.setattr(
        grader._kernel, "run_exercise", lambda i, t, specs, ns, seed, later: ran.extend(s.name for s in specs)
    )
    with pytest.raises(AttributeError):  # our stand-in returns None; what matters is what it was given
        check("91.2")
    assert ran == ["parses_objects", "rejects_prose"]


def test_progress_shows_every_exercise_of_the_notebook(capsys: pytest.CaptureFixture[str]) -> None:
    assert progress(91) is None  # it shows; nothing to echo under the overview
    out = capsys.readouterr().out
    assert "Progress: 1/6 points" in out
    results = progress_results(91)
    assert [r.id for r in results] == ["91.1", "91.2", "91.3"]
    assert [r.status for r in results] == ["passed", "failed", "failed"]


def test_progress_remembers_the_notebook_of_the_last_check() -> None:
    with pytest.raises(CheckError, match="cannot tell which notebook"):
        progress()
    check("91.1")
    assert len(progress_results()) == 3


def _parse_answer(text: str) -> dict[str, object]:  # 91.2's solution, given to the tests that need 91.2 passed
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def test_a_green_check_says_how_many_points_grading_still_holds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WEEKFOUR_CHECKS", f"{COURSE / 'checks'}:{COURSE / 'private'}")
    monkeypatch.setitem(globals(), "parse_answer", _parse_answer)
    passed = check("91.2")
    out = capsys.readouterr().out
    assert passed is None
    assert "passed (3/3 here · 5 points in all: 2 more from checks that run at grading)" in out, out


def test_progress_shows_the_points_here_and_the_points_in_all(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WEEKFOUR_CHECKS", f"{COURSE / 'checks'}:{COURSE / 'private'}")
    monkeypatch.setitem(globals(), "parse_answer", _parse_answer)
    progress(91)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Progress: 4/6 points here · 8 in all (2 more from checks that run at grading)"
    assert "3/3 (+2 at grading)" in out
