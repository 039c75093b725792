"""Grading learner code as code the grader did not write: the command run as CI runs it, against hostile submissions.

One ``python -m grader grade`` process grades a cohort of a detached child that tries to speak for the grader, a
learner who goes after a classmate's files, a learner whose output tries to break the reports, and the classmate.
The rest are quick checks that need no kernel: ungradable work exits 2, the scrubbing, the environment.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader._registry import CheckRegistry
from grader.cli import main
from grader.grade import Limits, NotebookScore, SubmissionScore, containment, find_submission, grade_submission
from grader.grade._reaper import descendants
from grader.grade._scrub import clean, markdown, minimal_env

from .conftest import CHECKS, COURSE, PRIVATE, SUBMISSIONS

TOKEN = "ghs_weekfourFAKEtoken0123456789"
MARKER = "weekfour-leftover-marker"
# A roomy cell timeout: no case here loops, and the neighbour's solved cells must not run out of time on a busy
# machine (the suite's workers grade side by side).
COMMON = ["--source", str(COURSE / "solutions"), "--checks", str(CHECKS), "--checks", str(PRIVATE), "--timeout", "60"]
contained_only = pytest.mark.skipif(not containment().files, reason="needs Linux Landlock (kernels contained)")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _leftovers() -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if MARKER.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("hostile")
    neighbour = out / "neighbour"
    shutil.copytree(SUBMISSIONS / "solved", neighbour)
    before = _snapshot(neighbour)
    env = {k: v for k, v in os.environ.items() if k != "WEEKFOUR_CHECKS"}
    env["GITHUB_TOKEN"] = TOKEN
    hostile = [str(SUBMISSIONS / c) for c in ("detached-child", "peer-overwrite", "hostile-output")]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "grade",
            *hostile,
            str(neighbour),
            *COMMON,
            "--jobs=2",
            f"--json={out / 'grades.json'}",
            f"--junit={out / 'junit.xml'}",
            f"--csv={out / 'grades.csv'}",
            f"--markdown={out / 'feedback'}",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    return {"proc": proc, "out": out, "neighbour": neighbour, "before": before}


@contained_only
def test_the_graders_points_line_is_the_only_one_on_stdout(cohort: dict[str, object]) -> None:
    proc = cohort["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    assert proc.returncode == 0, proc.stderr
    points = [line for line in proc.stdout.splitlines() if "Points" in line]
    assert points == ["Points 9/36"]


@contained_only
def test_no_process_is_left_after_grading(cohort: dict[str, object]) -> None:
    assert cohort["proc"] is not None
    assert _leftovers() == []
    assert descendants() == []


@contained_only
def test_a_cohort_neighbours_files_are_unchanged_and_graded_fully(cohort: dict[str, object]) -> None:
    neighbour = cohort["neighbour"]
    assert isinstance(neighbour, Path)
    assert _snapshot(neighbour) == cohort["before"]
    data = json.loads((cohort["out"] / "grades.json").read_text())
    scores = {s["learner"]: s["score"] for s in data["submissions"]}
    assert scores == {"detached-child": 0, "peer-overwrite": 0, "hostile-output": 0, "neighbour": 9}


@contained_only
def test_no_report_holds_the_token_an_escape_or_a_broken_structure(cohort: dict[str, object]) -> None:
    out = cohort["out"]
    assert isinstance(out, Path)
    proc = cohort["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    files = [out / "grades.json", out / "junit.xml", out / "grades.csv", *sorted((out / "feedback").iterdir())]
    for text in [proc.stdout, proc.stderr, *(f.read_text() for f in files)]:
        assert TOKEN not in text and "\x1b" not in text and "\x07" not in text
    ET.parse(out / "junit.xml")  # well-formed despite "</failure>" and control characters in the feedback
    markdown_text = (out / "feedback" / "hostile-output.md").read_text()
    assert "</failure>" not in markdown_text and "<b>" not in markdown_text and "\\|" in markdown_text
    rows = list(csv.reader((out / "grades.csv").read_text().splitlines()))
    assert all(len(row) == len(rows[0]) for row in rows)


def test_percent_of_nothing_is_zero_not_a_pass() -> None:
    assert SubmissionScore("x", "x").percent == 0.0
    assert SubmissionScore("x", "x", [NotebookScore("a.ipynb")]).percent == 0.0


def test_a_misnamed_notebook_cannot_be_graded_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grade", str(SUBMISSIONS / "misnamed-notebook" / "my-work.ipynb"), *COMMON, "--fail-under=50"])
    captured = capsys.readouterr()
    assert code == 2
    assert "could not grade my-work.ipynb" in captured.out and "Could not grade: my-work" in captured.err


def test_checks_that_do_not_load_make_the_submission_ungradable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "checks"
    broken.mkdir()
    (broken / "nb91.py").write_text("def oops(:\n")
    args = ["grade", str(SUBMISSIONS / "solved"), "--source", str(COURSE / "solutions"), "--checks", str(broken)]
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2 and "could not grade 91-fixture.ipynb: its checks did not load" in captured.out
    assert "Points 1/1" in captured.out  # 92 was still graded; the run is not a pass


def test_a_run_that_loses_its_working_folder_is_ungradable_without_internal_paths() -> None:
    # Uncontained (a learner's own machine): the cell deletes the grader's files too. Only its temp folder is at risk.
    registry = CheckRegistry([CHECKS, PRIVATE], use_env=False)
    expected = sorted(p.name for p in (COURSE / "solutions").glob("*.ipynb"))
    sub = find_submission(SUBMISSIONS / "empties-workdir", expected)
    result = grade_submission(sub, registry=registry, timeout=5, limits=Limits(contain=False))
    assert result.ungradable and result.score == 0
    first = result.notebooks[0]
    assert first.error is not None and first.error.startswith("could not grade 91-fixture.ipynb")
    # Whatever the kernel recorded after the runner's files went, and however much of it the timing let through:
    # the files are missing at the end, so nothing of the run counts (a race made this test pass or fail by load).
    assert "the notebook's code deleted the grader's own files (" in first.error
    assert "weekfour-grade-" not in first.error and first.max_score == 8


def test_clean_removes_escapes_control_characters_and_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    text = f"\x1b[31mred\x1b[0m \x1b]0;title\x07ok\x00\x08\r\nnext {TOKEN} \u202eevil"
    assert clean(text) == "red ok\nnext *** evil"
    assert markdown("a | b <script> *x*\nline") == "a \\| b &lt;script&gt; \\*x\\*<br>line"


def test_the_runner_environment_is_minimal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "abcdefgh")
    env = minimal_env(tmp_path, {"WEEKFOUR_GRADING": "1"})
    assert TOKEN not in env.values() and "AWS_SECRET_ACCESS_KEY" not in env
    assert env["HOME"].startswith(str(tmp_path)) and env["WEEKFOUR_GRADING"] == "1"
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)


def _contained(tmp_path: Path, code: str, *, memory: int = 0, read: tuple[Path, ...] = ()) -> tuple[int, str]:
    from grader.grade._contain import kernel_command, readable_roots

    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    command = kernel_command(
        [sys.executable, "-c", code], scratch=scratch, read=readable_roots(read), memory=memory, contain=True
    )
    proc = subprocess.run(command, env=minimal_env(scratch, {}), timeout=60, check=False)
    return proc.returncode, (scratch / "kernel.log").read_text()


def test_the_memory_ceiling_fails_a_bomb_quickly(tmp_path: Path) -> None:
    code, log = _contained(tmp_path, "bytearray(3 * 1024**3)", memory=1024**3)
    assert code != 0 and "MemoryError" in log


@contained_only
def test_a_contained_process_reads_only_the_environment_and_writes_only_its_scratch(tmp_path: Path) -> None:
    secret = tmp_path / "solutions.txt"
    secret.write_text("the answer")
    probe = (
        "import os, socket\n"
        "def can(f):\n"
        "    try:\n"
        "        f(); return 'yes'\n"
        "    except OSError:\n"
        "        return 'no'\n"
        f"print('read', can(lambda: open({str(secret)!r}).read()))\n"
        "print('proc', can(lambda: open(f'/proc/{os.getppid()}/cmdline').read()))\n"
        f"print('write', can(lambda: open({str(tmp_path / 'out.txt')!r}, 'w')))\n"
        "print('scratch', can(lambda: open('mine.txt', 'w')))\n"
        "print('tcp', can(lambda: socket.create_connection(('127.0.0.1', 9), timeout=1)))\n"
    )
    code, log = _contained(tmp_path, f"import os; os.chdir({str(tmp_path / 'scratch')!r})\n" + probe)
    assert code == 0, log
    assert log.split() == ["read", "no", "proc", "no", "write", "no", "scratch", "yes", "tcp", "no"]


def test_require_contained_refuses_to_grade_uncontained(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grade", str(SUBMISSIONS / "solved"), *COMMON, "--uncontained", "--require-contained"])
    captured = capsys.readouterr()
    assert code == 2 and "Points" not in captured.out
    assert "--require-contained, but --uncontained was given" in captured.err
