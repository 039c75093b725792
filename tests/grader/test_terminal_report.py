"""The terminal report of ``make grade``: short on untouched work, readable at 80 columns, flags listed.

The course fixture is a real grading run of the unsolved notebooks/ (its JSON report, plus each exercise's title as
the checks declare it), so the lines tested are the lines a learner gets.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from grader.grade._results import ExerciseScore, IntegrityFlag, NotebookScore, SubmissionScore
from grader.grade.reports import print_submission
from grader.grade.reports._terminal import MIN_FEEDBACK, not_attempted_line

UNSOLVED = Path(__file__).parent / "fixtures" / "reports" / "unsolved-course.json"
WRONG_RETRY = ExerciseScore(
    "4.2",
    2,
    7,
    False,
    "Expected 3 attempts on a 429 then a success, got 1: a 429 is retryable.\n"
    "Hint: retry only retryable errors, and wait what Retry-After says.\n"
    "(seed 42: set WEEKFOUR_SEED=42 to replay this run)",
    "Retry with backoff",
)


def _unsolved_course() -> SubmissionScore:
    data = json.loads(UNSOLVED.read_text(encoding="utf-8"))
    notebooks = [
        NotebookScore(
            nb["path"],
            [
                ExerciseScore(e["id"], e["points"], e["max_points"], e["passed"], e["feedback"], e.get("title"))
                for e in nb["exercises"]
            ],
            nb["error"],
        )
        for nb in data["notebooks"]
    ]
    return SubmissionScore("learner", "notebooks", notebooks)


@pytest.fixture
def unsolved_course() -> SubmissionScore:
    return _unsolved_course()


@pytest.fixture
def course_with_one_wrong_answer_in_06() -> SubmissionScore:
    sub = _unsolved_course()
    six = sub.notebooks[-1]
    six.exercises[3] = ExerciseScore(
        "6.4", 0, 2, False, WRONG_RETRY.feedback, "Bring your retries, fallbacks and breaker (notebook 04)"
    )
    return sub


def _render(sub: SubmissionScore, columns: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = io.StringIO()
    print_submission(sub, file=out)
    return [line.rstrip() for line in out.getvalue().splitlines()]


def _row_lines(lines: list[str], exercise_id: str) -> list[str]:
    """The lines of one exercise's table row: its own line and the continuation lines under it."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{exercise_id} "))
    row = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        row.append(line)
    return row


def test_the_unsolved_course_at_80_columns_is_one_line_per_exercise(
    unsolved_course: SubmissionScore, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _render(unsolved_course, 80, monkeypatch)
    exercises = unsolved_course.exercises()
    assert len(exercises) == 34
    assert max(len(line) for line in lines) <= 80
    for ex in exercises:
        assert len(_row_lines(lines, ex.id)) == 1, ex.id
    # Per notebook a title, a header and its rule; the advice and the total once.
    assert len(lines) <= 2 * len(exercises)
    assert len(lines) < 80


def test_the_stub_advice_is_said_once_at_the_end(
    unsolved_course: SubmissionScore, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = " ".join(_render(unsolved_course, 80, monkeypatch))
    assert text.count("`raise NotImplementedError(...)`") == 1
    assert "Not attempted (34)" in text
    assert text.index("Not attempted (34)") > text.index("6.8 ")


def test_a_not_attempted_line_names_what_is_missing() -> None:
    sub = _unsolved_course()
    by_id = {e.id: e for e in sub.exercises()}
    assert not_attempted_line(by_id["4.2"]) == "not attempted: `call_with_retries`"
    assert not_attempted_line(by_id["1.1"]) == "not attempted: `Answer` not defined"
    assert not_attempted_line(by_id["1.2"]) == "not attempted: do 1.1 first (`Answer`)"
    assert not_attempted_line(by_id["6.4"]) == "not attempted: paste from notebook 04"
    assert not_attempted_line(WRONG_RETRY) is None


def test_feedback_at_80_columns_keeps_a_readable_width(
    course_with_one_wrong_answer_in_06: SubmissionScore, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _render(course_with_one_wrong_answer_in_06, 80, monkeypatch)
    header = lines[lines.index("06-week-four.ipynb: 0/29") + 1]
    assert 80 - header.index("Feedback") >= MIN_FEEDBACK
    row = _row_lines(lines, "6.4")
    assert 3 <= len(row) <= 6  # three lines of feedback at a readable width, not a column of letters
    assert "Retry-After says." in " ".join(line.strip() for line in row)


def test_too_narrow_for_feedback_puts_it_below_the_table(
    course_with_one_wrong_answer_in_06: SubmissionScore, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _render(course_with_one_wrong_answer_in_06, 44, monkeypatch)
    assert max(len(line) for line in lines) <= 44
    assert not any("Feedback" in line for line in lines)
    below = next(i for i, line in enumerate(lines) if line.startswith("6.4:"))
    assert below > next(i for i, line in enumerate(lines) if line.startswith("6.8 "))
    joined = " ".join(line.strip() for line in lines[below : below + 6])
    assert "Expected 3 attempts on a 429" in joined and "a 429 is retryable" in joined


def test_integrity_flags_are_listed_for_review(
    unsolved_course: SubmissionScore, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not any("Flagged" in line for line in _render(unsolved_course, 80, monkeypatch))
    unsolved_course.notebooks[4].flags.append(
        IntegrityFlag(
            kind="reaches-internals", detail="assigns grader._runner.run_check", exercise="4.2", cell=7, line=3
        )
    )
    unsolved_course.notebooks[1].flags.append(
        IntegrityFlag(kind="disagreement", detail="passed in one run, failed in the other", exercise="1.3")
    )
    lines = _render(unsolved_course, 120, monkeypatch)
    start = lines.index("Flagged for review (2): for the instructor, no points changed")
    block = lines[start + 1 : start + 3]
    assert block == [
        "  01-hallucination.ipynb, exercise 1.3: disagreement: passed in one run, failed in the other",
        "  04-fallbacks.ipynb, exercise 4.2, cell 7, line 3: reaches-internals: assigns grader._runner.run_check",
    ]


def test_a_notebook_that_could_not_be_graded_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    sub = SubmissionScore("learner", "work", [NotebookScore("work/04-fallbacks.ipynb", error="not valid JSON: fix it")])
    assert _render(sub, 80, monkeypatch)[0] == "04-fallbacks.ipynb: 0/0 — not valid JSON: fix it"
