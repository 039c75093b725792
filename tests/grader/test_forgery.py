"""Unsolved notebooks that try to score anyway: the points come from the verdict process, which learner code cannot
reach, so every forgery ends at 0 for what it forged — and is flagged for the instructor, with the cell and line.

One ``python -m grader grade`` run grades the forgery fixtures (``tests/grader/fixtures/submissions/forge-*``, built
by ``build_fixtures.py``) and the solved fixture beside them (``forgeries_reported`` in conftest.py: test_grade_cases.py
reads the same grading); the static scan has quick tests of its own.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from grader.grade import containment
from grader.grade._static import scan_cell

from .conftest import FORGERIES as FORGERY_FIXTURES
from .conftest import Reported

FORGERIES = {
    # case: (points it may keep, flag kinds it must carry)
    "forge-run-check": (0, {"disagreement", "refused", "tampered", "reaches-internals"}),
    "forge-exception-hook": (0, {"disagreement", "reaches-internals"}),
    "forge-code-surgery": (0, {"disagreement", "refused", "reaches-internals"}),
    "forge-gc-walk": (0, {"refused", "reaches-internals"}),
    "forge-channel": (0, {"disagreement", "tampered", "reaches-internals"}),
    "forge-frame-peek": (7, {"disagreement", "refused", "reaches-internals"}),  # 91.1 and 91.2 are really solved
    # Both runs agree an object equal to anything passed: points cannot be withheld, the flag says where to look.
    "forge-always-equal": (3, {"reaches-internals"}),
}
contained_only = pytest.mark.skipif(not containment().files, reason="needs Linux Landlock (kernels contained)")


@pytest.fixture(scope="module")
def graded(forgeries_reported: Reported) -> Path:
    """The folder of the reports of one grading of every forgery and the solved fixture."""
    proc = forgeries_reported.proc
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "flagged for review" in proc.stdout  # the cohort table says who
    return forgeries_reported.folder


@pytest.fixture(scope="module")
def report(graded: Path) -> dict[str, dict[str, Any]]:
    return {s["learner"]: s for s in json.loads((graded / "grades.json").read_text())["submissions"]}


def test_every_forgery_fixture_has_its_expectations() -> None:
    assert sorted(FORGERIES) == FORGERY_FIXTURES


def _flags(submission: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for n in submission["notebooks"] for f in n.get("flags", [])]


@contained_only
@pytest.mark.parametrize("case", sorted(FORGERIES))
def test_a_forgery_scores_nothing_for_what_it_forged_and_is_flagged(
    report: dict[str, dict[str, Any]], case: str
) -> None:
    keep, kinds = FORGERIES[case]
    submission = report[case]
    assert submission["score"] == keep
    found = {f["kind"] for f in _flags(submission)}
    assert kinds <= found, f"{case}: flags {sorted(found)}"


@contained_only
def test_flags_name_the_learners_cell_and_line(report: dict[str, dict[str, Any]]) -> None:
    refused = [f for f in _flags(report["forge-run-check"]) if f["kind"] == "refused"]
    # The forging cell is the third cell of the notebook; its line 12 assigns grader._kernel.run_check.
    assert {(f["cell"], f["line"]) for f in refused} == {(3, 12)}
    assert any("grader._kernel.run_check" in f["detail"] for f in refused)
    peek = [f for f in _flags(report["forge-frame-peek"]) if f["kind"] == "refused"]
    assert peek and all(f["cell"] == 10 and f["line"] == 5 for f in peek)


@contained_only
def test_a_disagreement_says_so_in_the_learners_feedback(report: dict[str, dict[str, Any]]) -> None:
    exercise = next(e for n in report["forge-frame-peek"]["notebooks"] for e in n["exercises"] if e["id"] == "91.3")
    assert exercise["points"] == 0 and not exercise["passed"]
    assert exercise["feedback"].startswith("Flagged for review")


@contained_only
def test_honest_work_beside_the_forgeries_scores_fully_with_no_flag(report: dict[str, dict[str, Any]]) -> None:
    solved = report["solved"]
    assert solved["score"] == solved["max_score"] == 9
    assert _flags(solved) == []


@contained_only
def test_the_gradebook_and_the_feedback_carry_the_flags(graded: Path) -> None:
    rows = {row["learner"]: row for row in csv.DictReader((graded / "grades.csv").read_text().splitlines())}
    assert rows["solved"]["flags"] == ""
    assert (
        "refused (91-fixture.ipynb, cell 3, line 12): setting grader._kernel.run_check"
        in rows["forge-run-check"]["flags"]
    )
    feedback = (graded / "feedback" / "forge-gc-walk.md").read_text()
    assert (
        "## Flagged for review" in feedback
        and "| 91-fixture.ipynb | cell 3, line 8 | refused | gc.get\\_objects |" in feedback
    )
    assert "Flagged for review" not in (graded / "feedback" / "solved.md").read_text()


def test_the_static_scan_names_what_a_cell_reaches_for() -> None:
    found = scan_cell("import grader._kernel\nfrom grader import check\nx = f.__code__\n%env A=1\nopen('/proc/1/fd/1')")
    assert [(r.line, r.detail) for r in found] == [
        (1, "imports the grader's internals (grader._kernel)"),
        (3, "reaches for a function's code"),
        (5, "names other processes (/proc)"),
    ]


def test_the_static_scan_names_a_class_that_decides_how_it_compares() -> None:
    source = (
        "class Anything:\n    def __eq__(self, other):\n        return True\n\n"
        "    __ne__ = lambda self, other: False\n\n"
        "Other = type('Other', (), {'__bool__': lambda self: True})"
    )
    assert [r.line for r in scan_cell(source)] == [2, 5, 7]
    assert all("decides how it compares" in r.detail for r in scan_cell(source))


def test_the_static_scan_leaves_honest_cells_alone() -> None:
    honest = (
        "from grader import check, progress\nimport json, gc_stats\n\n\ndef register(x):\n    return json.dumps(x)\n"
        "%matplotlib inline\nawait agent.run('hi')\ncheck('1.1')"
    )
    assert scan_cell(honest) == []
    assert scan_cell("def broken(:\n") == []
