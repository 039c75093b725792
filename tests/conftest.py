"""How the suite shares its workers when it runs in parallel (``pytest -n auto --dist loadgroup``, see pyproject.toml).

Tests are handed to the workers in groups, and a group runs in one worker, in order. By default a group is one file,
so a module-scoped fixture (a graded cohort, a template venv) is built once. A few groups span files:

- ``browser``: tests/browser/ starts chromium and one JupyterLab server, and writes tests/browser/artifacts/;
- ``fixture-gradings``: test_hostile.py looks through every process on the machine for the marker of the
  detached-child fixture, which test_grade_cases.py grades too: side by side, one would see the other's child; and
  test_grade_cases.py reads the forgeries from the grading test_forgery.py makes (a session fixture);
- ``notebooks``: tests/notebooks/test_nbNN.py share one session-scoped grading of every notebook (``graded``): in two
  workers it would run twice.

The files in ``ONE_BY_ONE`` share nothing costlier than a per-process cache: their tests are handed out one by one.
The heaviest groups are queued first (``--no-loadscope-reorder`` keeps the queue in collection order), so the long
ones do not start last. A serial run (``-n0``) keeps the usual order.

The groups are named here, by path, not with ``xdist_group`` marks: pytest-xdist turns a mark into a node-id suffix,
which pytest 9's node ids no longer take, so under this pytest a mark would not group anything.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Final

import pytest

__all__ = ["group_of"]

TESTS: Final = Path(__file__).resolve().parent
# A file under tests/ (or its first folder) -> the group all its tests share; any other file is a group of its own.
SHARED: Final = {
    "browser": "browser",
    "grader/test_hostile.py": "fixture-gradings",
    "grader/test_grade_cases.py": "fixture-gradings",
    "grader/test_forgery.py": "fixture-gradings",
    **{f"notebooks/test_nb{n:02d}.py": "notebooks" for n in range(10)},
}
ONE_BY_ONE: Final = frozenset({"notebooks/test_exercises.py", "grader/test_mutants.py"})
# The longest groups, longest first (seconds of a serial run); the others follow in collection order.
HEAVIEST_FIRST: Final = (
    "fixture-gradings",  # every fixture submission graded sliced and in full, the hostile cohort: 380 s
    "browser",  # every notebook in JupyterLab, learner and solution version: 150 s
    "notebooks",  # each solution and learner notebook executed, then all of them graded: 140 s
    "grader/test_slice.py",  # the course with wrong answers, graded sliced and in full: 70 s
    "grader/test_template.py",  # 20 s
    "grader/test_cli_reports.py",  # 17 s
)


def group_of(nodeid: str) -> str | None:
    """The group of a test, from its node id (``tests/...py::name[param]``); None: a group of its own."""
    relative = nodeid.split("::", 1)[0].removeprefix("tests/")
    if relative in ONE_BY_ONE:
        return None
    return SHARED.get(relative) or SHARED.get(relative.split("/", 1)[0]) or relative


def _rank(item: pytest.Item) -> int:
    group = group_of(item.nodeid)
    if group in HEAVIEST_FIRST:
        return HEAVIEST_FIRST.index(group)
    return len(HEAVIEST_FIRST) + (group is None)  # the one-by-one tests last: they fill the gaps at the end


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker; every worker sorts the same way
        items.sort(key=_rank)  # stable: each group keeps its own order


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``: xdist's scope scheduling, with the groups above as its scopes."""
    if config.getvalue("dist") != "loadgroup":
        return None
    # Imported by name: xdist ships no type information, and its scheduler is only needed under xdist.
    scope_scheduling = importlib.import_module("xdist.scheduler").LoadScopeScheduling

    def split_scope(self: Any, nodeid: str) -> str:
        return group_of(nodeid) or nodeid

    return type("GroupScheduling", (scope_scheduling,), {"_split_scope": split_scope})(config, log)
