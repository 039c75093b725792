"""Run graded copies under ``pytest --nbval-lax`` in a child process and read back what happened.

One pytest process per submission grades all its notebooks one after another (one kernel each): the process start
and imports (about 2.5 s) are paid once per submission, not per notebook. Plugin autoloading is off so that only nbval
and the grader's plugin load.

The submission's temporary folder has two parts. ``scratch/`` is the learner's: the graded copies, the kernel's
working folder, home and temp folders, and ``checks.jsonl`` (each check's result as the kernel wrote it: feedback,
never trusted alone). The grader's own files (``pytest.ini``, ``cells.json``, ``pytest.log``, the kernel settings)
live beside it, where a contained kernel can neither read nor write. pytest and the kernel get a minimal environment
(:func:`grader.grade._scrub.minimal_env`); each kernel starts through :mod:`grader.grade._contain`; the plugin makes
pytest a child subreaper and kills whatever a notebook's kernel left running before the next notebook starts.
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
from grader._runner import SEED_ENV
from grader.grade._contain import DEFAULT_MEMORY, containment, readable_roots
from grader.grade._scrub import minimal_env

__all__ = ["Limits", "RunOutcome", "grading_env", "run_pytest"]

_INI: Final = "[pytest]\naddopts =\nfilterwarnings =\n"
_STARTUP_ALLOWANCE: Final = 60.0
_TERM_GRACE: Final = 5.0


@dataclass(frozen=True, slots=True)
class Limits:
    memory: int = DEFAULT_MEMORY  # bytes of address space per kernel (0: no cap)
    contain: bool = True  # Landlock where the system has it
    verdict: bool = True  # decide points in the separate verdict process (off only to measure what it costs)
    full: bool = False  # run every cell of the notebook, not only what the checks need (``--full``)
    zygote: bool = True  # fork each notebook's kernel from one preloaded process (off only to measure what it saves)


@dataclass(slots=True)
class RunOutcome:
    items: list[dict[str, Any]] = field(default_factory=list)  # one per executed cell (see the plugin)
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per graded check, written by the kernel
    error: str | None = None  # set when pytest itself could not run to the end
    contained: bool = False  # the kernels ran under Landlock


def _read_rows(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return rows
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def _read_items(path: Path) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [i for i in data if isinstance(i, dict)] if isinstance(data, list) else None


def _tail(path: Path, workdir: Path) -> str:
    try:
        text = path.read_text(errors="replace")[-1500:]
    except OSError:
        return ""
    return text.replace(str(workdir), "<grading folder>")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM first (the plugin then kills the kernels and what they started), SIGKILL the group after a grace."""
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=_TERM_GRACE)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def grading_env(scratch: Path, checks_env: str, seed: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a grading run's processes (nbval's kernel and the verdict process alike)."""
    return minimal_env(
        scratch,
        {
            CHECKS_ENV: checks_env,
            SEED_ENV: str(seed),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "WEEKFOUR_GRADING": "1",
            **(extra or {}),
        },
    )


def run_pytest(
    notebooks: list[Path],
    workdir: Path,
    *,
    scratch: Path,
    checks_env: str,
    timeout: float,
    cells: int,
    seed: int,
    limits: Limits | None = None,
) -> RunOutcome:
    """Grade ``notebooks`` (graded copies inside ``scratch``); ``cells`` bounds the whole run's duration."""
    limits = limits or Limits()
    results = workdir / "cells.json"
    rows = scratch / "checks.jsonl"
    (workdir / "pytest.ini").write_text(_INI)
    contained = limits.contain and containment().files
    folders = [Path(p) for p in checks_env.split(os.pathsep) if p]
    kernel = {
        "scratch": str(scratch),
        "read": [str(p) for p in readable_roots(folders)],
        "memory": limits.memory,
        "contain": contained,
        "zygote": limits.zygote,
    }
    (workdir / "kernel.json").write_text(json.dumps(kernel))
    env = grading_env(scratch, checks_env, seed, {RESULTS_ENV: str(rows), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
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
        str(scratch),
        "-q",
        "--nbval-lax",
        "--nbval-current-env",
        f"--nbval-cell-timeout={timeout}",
        f"--grader-results={results}",
        f"--grader-kernel={workdir / 'kernel.json'}",
        *[str(p) for p in notebooks],
    ]
    log = workdir / "pytest.log"
    budget = _STARTUP_ALLOWANCE + cells * (timeout + 10.0)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args,
            cwd=scratch,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            _stop(proc)
            return RunOutcome(
                rows=_read_rows(rows),
                error=f"grading took longer than {budget:.0f} s and was stopped",
                contained=contained,
            )
    # The runner's own files: only an uncontained kernel can reach them. Uncontained, the graded copies count too: a
    # kernel that deletes them races the runner, and how much the run recorded then depends on timing: none of it
    # counts. (Contained, a kernel can empty its scratch folder; the verdict process grades from its own copies.)
    runner = [workdir / "pytest.ini", workdir / "kernel.json", scratch, *([] if contained else notebooks)]
    lost = [path.name for path in runner if not path.exists()]
    if lost:
        return RunOutcome(
            error=f"the notebook's code deleted the grader's own files ({', '.join(lost)}) while it ran; grade it "
            "contained, or remove the code that deletes files outside its folder",
            contained=contained,
        )
    outcome = RunOutcome(rows=_read_rows(rows), contained=contained)
    items = _read_items(results)
    if items is not None:
        outcome.items = items
    if code not in (0, 1) or items is None:
        outcome.error = f"the notebook runner stopped unexpectedly (exit {code}):\n{_tail(log, workdir)}"
    return outcome
