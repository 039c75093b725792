"""Run graded copies under ``pytest --nbval-lax`` in a child process and read back what happened.

One pytest process per submission grades all its notebooks one after another (one kernel each): the process start
and imports (about 2.5 s) are paid once per submission, not per notebook. The kernel is the grader's own Python
(``--nbval-current-env``), it inherits ``WEEKFOUR_CHECKS`` (the same check folders as the grader) and writes each
check's result to ``WEEKFOUR_RESULTS``. Plugin autoloading is off so that only nbval and the grader's plugin load.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from grader._kernel import RESULTS_ENV
from grader._registry import CHECKS_ENV

__all__ = ["RunOutcome", "run_pytest"]

_INI: Final = "[pytest]\naddopts =\nfilterwarnings =\n"
_STARTUP_ALLOWANCE: Final = 60.0


@dataclass(slots=True)
class RunOutcome:
    items: list[dict[str, Any]] = field(default_factory=list)  # one per executed cell (see the plugin)
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per graded check, written by the kernel
    error: str | None = None  # set when pytest itself could not run to the end


def _read_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict):
                rows.append(row)
    return rows


def run_pytest(notebooks: list[Path], workdir: Path, *, checks_env: str, timeout: float, cells: int) -> RunOutcome:
    """Grade ``notebooks`` (graded copies inside ``workdir``); ``cells`` bounds the whole run's duration."""
    results = workdir / "cells.json"
    rows = workdir / "checks.jsonl"
    (workdir / "pytest.ini").write_text(_INI)
    env = dict(os.environ)
    env.update(
        {
            CHECKS_ENV: checks_env,
            RESULTS_ENV: str(rows),
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "WEEKFOUR_GRADING": "1",
        }
    )
    args = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "nbval.plugin",
        "-p",
        "grader.grade._plugin",
        "-p",
        "no:cacheprovider",
        "-c",
        str(workdir / "pytest.ini"),
        "--rootdir",
        str(workdir),
        "-q",
        "--nbval-lax",
        "--nbval-current-env",
        f"--nbval-cell-timeout={timeout}",
        f"--grader-results={results}",
        *[str(p) for p in notebooks],
    ]
    log = workdir / "pytest.log"
    budget = _STARTUP_ALLOWANCE + cells * (timeout + 10.0)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = proc.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return RunOutcome(rows=_read_rows(rows), error=f"grading took longer than {budget:.0f} s and was stopped")
    outcome = RunOutcome(rows=_read_rows(rows))
    if results.is_file():
        outcome.items = json.loads(results.read_text())
    if code not in (0, 1) or not results.is_file():
        tail = log.read_text(errors="replace")[-1500:]
        outcome.error = f"the notebook runner stopped unexpectedly (exit {code}):\n{tail}"
    return outcome
