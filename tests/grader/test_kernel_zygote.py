"""Each notebook's kernel is forked from one preloaded zygote a submission; a notebook cannot reach the next one
through it, and when the zygote is gone the kernels start the usual way.

The notebooks here are plain (no checks): the nbval run itself is what is tested, through ``run_pytest``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.grade._execute import Limits, RunOutcome, run_pytest


def _notebook(folder: Path, name: str, *sources: str) -> Path:
    cells: list[dict[str, Any]] = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        for source in sources
    ]
    path = folder / name
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def _run(tmp_path: Path, notebooks: list[tuple[str, list[str]]], timeout: float = 30, **limits: Any) -> RunOutcome:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    paths = [_notebook(scratch, name, *sources) for name, sources in notebooks]
    cells = sum(len(sources) for _, sources in notebooks)
    return run_pytest(
        paths, tmp_path, scratch=scratch, checks_env="", timeout=timeout, cells=cells, seed=1, limits=Limits(**limits)
    )


def _outcomes(outcome: RunOutcome) -> dict[tuple[str, int], str]:
    assert outcome.error is None, outcome.error
    return {(item["notebook"], item["cell"]): item["outcome"] for item in outcome.items}


PRELOADED = (
    "import gc, sys\nassert 'pandas' in sys.modules and 'weekfour.labs.week_four' in sys.modules\n"
    "assert gc.get_freeze_count() > 10_000 and gc.isenabled()  # the preload is frozen, the collector still runs"
)
NOT_PRELOADED = "import sys\nassert 'pandas' not in sys.modules"
BACKEND = "import matplotlib, os\nassert matplotlib.get_backend().lower() == os.environ['MPLBACKEND'].lower() == 'agg'"


def test_kernels_are_forked_preloaded_and_each_notebook_starts_from_the_untouched_zygote(tmp_path: Path) -> None:
    first = [
        PRELOADED,
        BACKEND,
        "import os, weekfour\nweekfour.LEFT_BY_THE_FIRST = True\nopen('first.pid', 'w').write(str(os.getpid()))",
    ]
    second = [
        PRELOADED,
        "import weekfour\nassert not hasattr(weekfour, 'LEFT_BY_THE_FIRST')",
        "import os\nassert open('first.pid').read() != str(os.getpid())",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
        "import random\nrandom.random()",
    ]
    outcomes = _outcomes(_run(tmp_path, [("01-first.ipynb", first), ("02-second.ipynb", second)]))
    assert set(outcomes.values()) == {"passed"}, outcomes
    assert len(outcomes) == len(first) + len(second)


def test_without_the_zygote_kernels_start_the_usual_way(tmp_path: Path) -> None:
    outcomes = _outcomes(_run(tmp_path, [("01-first.ipynb", [NOT_PRELOADED, BACKEND])], zygote=False))
    assert set(outcomes.values()) == {"passed"}, outcomes


def test_a_notebook_that_kills_the_zygote_leaves_the_next_notebook_a_kernel_started_the_usual_way(
    tmp_path: Path,
) -> None:
    killer = ["import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", "x = 1"]
    after = [NOT_PRELOADED, "y = 2\nassert y == 2"]
    outcomes = _outcomes(_run(tmp_path, [("01-killer.ipynb", killer), ("02-after.ipynb", after)]))
    assert outcomes[("02-after.ipynb", 0)] == "passed" and outcomes[("02-after.ipynb", 1)] == "passed", outcomes
    assert outcomes[("01-killer.ipynb", 1)] == "passed", outcomes


def test_a_forked_kernel_is_interrupted_and_one_that_ignores_the_interrupt_is_replaced(tmp_path: Path) -> None:
    cells = [
        "n = 41",
        "while True:\n    pass",
        "n += 1\nassert n == 42",
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        "assert n == 42",  # the kernel was replaced and the cells before replayed (without the offending ones)
    ]
    outcome = _run(tmp_path, [("01-loops.ipynb", cells)], timeout=3)
    outcomes = _outcomes(outcome)
    assert [outcomes[("01-loops.ipynb", i)] for i in range(5)] == ["passed", "failed", "passed", "failed", "passed"]
    incidents = {item["cell"]: item["incident"] for item in outcome.items}
    assert incidents[1] == "timeout" and incidents[3] == "timeout"
