"""The grade command: exit codes, and every report (terminal, JSON, JUnit, Markdown, CSV, job summary, Points line)."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from grader.cli import main

from .conftest import CHECKS, COURSE, PRIVATE, SUBMISSIONS

COMMON = ["--source", str(COURSE / "solutions"), "--checks", str(CHECKS), "--checks", str(PRIVATE), "--timeout", "5"]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("reports")
    summary = out / "summary.md"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GITHUB_STEP_SUMMARY", str(summary))
        code = main(
            [
                "grade",
                str(SUBMISSIONS / "partly-solved"),
                str(SUBMISSIONS / "malformed-json"),
                *COMMON,
                "--jobs=2",
                f"--json={out / 'grades.json'}",
                f"--junit={out / 'junit.xml'}",
                f"--csv={out / 'grades.csv'}",
                f"--markdown={out / 'feedback'}",
                "--fail-under=50",
            ]
        )
    return {"code": code, "out": out, "summary": summary}


def test_a_cohort_below_fail_under_exits_1(cohort: dict[str, Any]) -> None:
    assert cohort["code"] == 1  # malformed-json scores 1/9


def test_cohort_json_holds_each_learner_in_the_fixed_shape(cohort: dict[str, Any]) -> None:
    data = json.loads((cohort["out"] / "grades.json").read_text())
    assert data["schema"] == 1
    learners = {s["learner"]: s for s in data["submissions"]}
    partly = learners["partly-solved"]
    assert set(partly) == {"learner", "path", "score", "max_score", "notebooks"}
    assert (partly["score"], partly["max_score"]) == (5, 9)
    nb = partly["notebooks"][0]
    assert set(nb) == {"path", "score", "max_score", "error", "ungradable", "exercises", "flags"}
    assert set(nb["exercises"][0]) == {"id", "title", "points", "max_points", "passed", "feedback"}
    assert learners["malformed-json"]["notebooks"][0]["error"].startswith("91-fixture.ipynb is not valid JSON")


def test_csv_has_a_row_per_learner_and_a_column_per_exercise(cohort: dict[str, Any]) -> None:
    rows = list(csv.reader((cohort["out"] / "grades.csv").read_text().splitlines()))
    assert rows[0] == ["learner", "91.1", "91.2", "91.3", "92.1", "score", "max_score", "flags"]
    assert rows[1:] == [
        ["malformed-json", "0", "0", "0", "1", "1", "9", ""],
        ["partly-solved", "1", "3", "0", "1", "5", "9", ""],
    ]


def test_junit_has_a_case_per_exercise_with_failures(cohort: dict[str, Any]) -> None:
    root = ET.parse(cohort["out"] / "junit.xml").getroot()
    suites = {s.get("name"): s for s in root}
    partly = suites["partly-solved/91-fixture.ipynb"]
    assert (partly.get("tests"), partly.get("failures")) == ("3", "2")
    assert suites["malformed-json/91-fixture.ipynb"].get("errors") == "1"


def test_markdown_feedback_per_learner(cohort: dict[str, Any]) -> None:
    text = (cohort["out"] / "feedback" / "partly-solved.md").read_text()
    assert "**Score: 5/9**" in text and "| 91.2 Safe parsing | 3/5 | ❌ |" in text


def test_the_github_job_summary_is_written(cohort: dict[str, Any]) -> None:
    text = cohort["summary"].read_text()
    assert "| partly-solved | 5 | 9 |" in text


def test_one_submission_prints_a_table_and_the_classroom_points_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "one.json"
    assert main(["grade", str(SUBMISSIONS / "solved"), *COMMON, f"--json={report}", "--fail-under=100"]) == 0
    out = capsys.readouterr().out
    assert "91-fixture.ipynb: 8/8" in out and "Safe parsing" in out
    assert out.rstrip().splitlines()[-1] == "Points 9/9"
    data = json.loads(report.read_text())
    assert set(data) == {"schema", "submissions"}, "one submission is reported in the same schema as a cohort"
    assert [(s["learner"], s["score"]) for s in data["submissions"]] == [("solved", 9)]


def test_a_path_that_does_not_exist_cannot_be_graded(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(SUBMISSIONS / "nobody-here"), *COMMON]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_missing_checks_folder_cannot_be_graded(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(SUBMISSIONS / "solved"), "--checks", str(SUBMISSIONS / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bad_usage_exits_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["grade", "--timeout", "soon"])
    assert info.value.code == 2
