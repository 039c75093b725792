"""Shared paths of the fixture course (tests/grader/fixtures/, rebuilt by fixtures/build_fixtures.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import grader._kernel

FIXTURES = Path(__file__).parent / "fixtures"
COURSE = FIXTURES / "course"
SUBMISSIONS = FIXTURES / "submissions"
CHECKS = COURSE / "checks"
PRIVATE = COURSE / "private"
FORGERIES = sorted(p.name for p in SUBMISSIONS.glob("forge-*") if p.is_dir())
# The settings of every grading of the fixture submissions that compares with another (test_grade_cases.py): one
# seed, and a cell timeout no load on the machine reaches (the cases about a loop set a short one of their own).
SEED = "11"
ROOMY_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Reported:
    """One ``python -m grader grade`` run: its output and the folder of its reports (grades.json, grades.csv,
    feedback/)."""

    proc: subprocess.CompletedProcess[str]
    folder: Path


@pytest.fixture(scope="session")
def forgeries_reported(tmp_path_factory: pytest.TempPathFactory) -> Reported:
    """Every forgery fixture and the solved one, graded once by the command as CI runs it, with every report.

    test_forgery.py reads its reports; test_grade_cases.py takes its forgeries from the JSON (the same grading its
    own cohort would be: the same checks, seed and cell timeout), rather than grading them a second time.
    """
    folder = tmp_path_factory.mktemp("forgery")
    cases = [str(SUBMISSIONS / case) for case in [*FORGERIES, "solved"]]
    common = ["--source", str(COURSE / "solutions"), "--checks", str(CHECKS), "--checks", str(PRIVATE)]
    env = {k: v for k, v in os.environ.items() if k != "WEEKFOUR_CHECKS"} | {"WEEKFOUR_SEED": SEED}
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "grader", "grade", *cases, *common, f"--timeout={ROOMY_TIMEOUT:g}", "--jobs=2"),
            *(f"--json={folder / 'grades.json'}", f"--csv={folder / 'grades.csv'}", f"--markdown={folder}/feedback"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=FIXTURES.parents[2],
        timeout=400,
    )
    return Reported(proc, folder)


@pytest.fixture(autouse=True)
def _fresh_kernel_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test sees the fixture checks through WEEKFOUR_CHECKS and a fresh in-kernel registry."""
    monkeypatch.setenv("WEEKFOUR_CHECKS", str(CHECKS))
    monkeypatch.delenv("WEEKFOUR_SEED", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setattr(grader._kernel, "_registry", None)
    monkeypatch.setattr(grader._kernel, "_last_notebook", None)
    yield
