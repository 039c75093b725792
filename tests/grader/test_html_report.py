"""``--html``: the cohort report — charts inline, failing checks counted per learner, flags listed, feedback linked, and
every learner-controlled string escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.cli import main
from grader.grade import ExerciseScore, IntegrityFlag, NotebookScore, SubmissionScore
from grader.grade.reports import cohort_html, write_html, write_json
from grader.grade.reports._html import failing_checks

from .conftest import CHECKS, COURSE, PRIVATE, SUBMISSIONS

HOSTILE = '<script>alert("x")</script>'
NOT_ATTEMPTED = "Exercise 1.2 is not attempted yet: `f` still raises NotImplementedError."


def _feedback(status: int) -> str:
    return f"is_retryable got a {status} wrong.\n  expected: True\n  got:      False\nHint: 5xx are retryable\n(seed 3)"


def _cohort() -> list[SubmissionScore]:
    def sub(learner: str, exercises: list[ExerciseScore], flags: list[IntegrityFlag] | None = None) -> SubmissionScore:
        return SubmissionScore(
            learner, f"cohort/{learner}", [NotebookScore("04-x.ipynb", exercises, flags=flags or [])]
        )

    return [
        sub("ada", [ExerciseScore("4.1", 3, 3, True, ""), ExerciseScore("4.2", 0, 2, False, _feedback(503))]),
        sub(
            "bob",
            [ExerciseScore("4.1", 0, 3, False, _feedback(500)), ExerciseScore("4.2", 0, 2, False, _feedback(502))],
        ),
        sub(
            HOSTILE,
            [ExerciseScore("4.1", 0, 3, False, f"{HOSTILE} broke\n"), ExerciseScore("4.2", 0, 2, False, NOT_ATTEMPTED)],
            [IntegrityFlag(kind="reaches-internals", detail=f"reads {HOSTILE}", exercise="4.1", cell=2, line=7)],
        ),
    ]


def test_failing_checks_are_counted_per_learner_whatever_their_random_values() -> None:
    found = failing_checks(_cohort())
    assert (found[0].exercise, sorted(found[0].learners)) == ("4.2", ["ada", "bob"])  # most learners first
    by_exercise = {(f.exercise, f.message.split(" ")[0]): sorted(f.learners) for f in found}
    assert by_exercise[("4.2", "is_retryable")] == ["ada", "bob"]  # 503 and 502: one message
    assert all("not attempted" not in f.message for f in found)  # work not attempted is not a failing check
    assert all(not f.message.startswith(("Hint:", "(seed", " ")) for f in found)


def test_the_page_stands_alone_with_two_inline_charts() -> None:
    page = cohort_html(_cohort())
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 2
    assert "<script" not in page.replace("&lt;script", "")  # no script of ours, and none of the learner's
    assert not re.search(r"""(?:src|href)=["']?https?://""", page), "the page must not fetch anything"
    for section in ("Scores and pass rates", "Most frequent failing checks", "Flagged for review", "Learners"):
        assert section in page


def test_every_learner_string_is_escaped() -> None:
    page = cohort_html(_cohort())
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "reaches-internals" in page and "exercise 4.1, cell 2, line 7" in page


def test_each_learner_row_links_their_feedback_file(tmp_path: Path) -> None:
    page_path = tmp_path / "out" / "report.html"
    page_path.parent.mkdir()
    write_html(_cohort(), page_path, feedback=tmp_path / "feedback")
    page = page_path.read_text(encoding="utf-8")
    assert 'href="../feedback/ada.md"' in page and 'href="../feedback/bob.md"' in page
    assert 'href="../feedback/_script_alert__x____script_.md"' in page
    assert "feedback</a>" not in cohort_html(_cohort())  # no --markdown: no link


def test_an_empty_cohort_still_renders() -> None:
    page = cohort_html([])
    assert "No submission in this report." in page and "<svg" not in page


@pytest.fixture(scope="module")
def graded_with_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    common = ["--source", str(COURSE / "solutions"), "--checks", str(CHECKS), "--checks", str(PRIVATE)]
    args = [str(SUBMISSIONS / "partly-solved"), str(SUBMISSIONS / "solved"), *common, "--timeout", "5", "--jobs", "2"]
    code = main(["grade", *args, f"--json={out / 'grades.json'}", f"--html={out / 'report.html'}"])
    assert code == 0
    return out


def test_grade_writes_the_html_report(graded_with_html: Path) -> None:
    page = (graded_with_html / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "partly-solved" in page and "solved" in page


def test_merge_writes_the_same_report_from_the_json(graded_with_html: Path, tmp_path: Path) -> None:
    merged = tmp_path / "merged.html"
    assert main(["merge", str(graded_with_html / "grades.json"), f"--html={merged}"]) == 0
    assert merged.read_text(encoding="utf-8") == (graded_with_html / "report.html").read_text(encoding="utf-8")


def test_a_report_read_back_is_the_results_it_was_written_from(tmp_path: Path) -> None:
    from grader.grade.reports import read_json

    path = tmp_path / "grades.json"
    write_json(_cohort(), path)
    assert read_json(path) == _cohort()
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == 1


def test_the_cohort_job_summary_says_what_the_report_charts() -> None:
    from grader.grade.reports import job_summary

    text = job_summary(_cohort())
    assert "| 4.2 | 0 | 2 | 1 |" in text  # passed, failed, not attempted
    assert "### Most frequent failing checks" in text and "| 4.2 | 2 | is\\_retryable got a 503 wrong. |" in text
    assert "**Flagged for review:**" in text and HOSTILE not in text
