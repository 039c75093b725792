"""``make grade NB=...``: which notebook the Makefile hands the grader (a stand-in python records the call)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    """A BIN folder whose python only records its arguments, and a stamp that says the set-up is done."""
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\necho "$@" > {tmp_path / "called"}\n')
    python.chmod(0o755)
    (tmp_path / "stamp").touch()
    return tmp_path


def _make_grade(fake_bin: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(ROOT),
            "grade",
            f"BIN={fake_bin}",
            f"STAMP={fake_bin / 'stamp'}",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def _graded(fake_bin: Path, *args: str) -> str:
    done = _make_grade(fake_bin, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return (fake_bin / "called").read_text().strip()


def test_without_nb_the_whole_course_is_graded(fake_bin: Path) -> None:
    assert _graded(fake_bin) == "-m grader grade notebooks/"


@pytest.mark.parametrize("nb", ["04", "4", "04-fallbacks", "04-fallbacks.ipynb", "notebooks/04-fallbacks.ipynb"])
def test_nb_as_number_or_file_name_grades_that_notebook(fake_bin: Path, nb: str) -> None:
    assert _graded(fake_bin, f"NB={nb}") == "-m grader grade notebooks/04-fallbacks.ipynb"


def test_nb_zero_is_the_first_page(fake_bin: Path) -> None:
    assert _graded(fake_bin, "NB=0", "GRADE_ARGS=--quiet") == "-m grader grade notebooks/00-start-here.ipynb --quiet"


@pytest.mark.parametrize("nb", ["9", "fallbacks", "08"])
def test_an_unknown_notebook_says_how_to_name_one(fake_bin: Path, nb: str) -> None:
    done = _make_grade(fake_bin, f"NB={nb}")
    assert done.returncode != 0
    assert f"NB={nb}: no such notebook in notebooks/" in done.stdout
    assert "NB=04" in done.stdout
    assert not (fake_bin / "called").exists()
