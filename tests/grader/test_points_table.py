"""Hidden checks live apart (``instructor/checks/``), and the points table keeps every exercise's full points where
they are absent: ``check()`` and ``progress()`` of the learner template still say what grading holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import grader._kernel
from grader._registry import INSTRUCTOR_CHECKS, POINTS_TABLE, CheckRegistry, ChecksError, read_points_table
from grader.release import points_table, render_points_table

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(int(p.name[:2]) for p in (ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))


def test_no_public_check_module_holds_a_hidden_check() -> None:
    public = CheckRegistry(use_env=False, instructor=False)
    hidden = [s.key for n in NOTEBOOKS for s in public.checks(n) if s.hidden]
    assert hidden == [], f"hidden checks in grader/checks/: move them to instructor/checks/: {hidden}"


def test_the_course_repository_loads_its_hidden_checks_by_default() -> None:
    registry = CheckRegistry(use_env=False)
    assert INSTRUCTOR_CHECKS in registry.dirs
    for number in NOTEBOOKS:
        exercises = registry.exercises(number).values()
        assert any(c.hidden for info in exercises for c in info.checks), f"notebook {number:02d} has no hidden check"
    assert sum(info.max_points for n in NOTEBOOKS for info in registry.exercises(n).values()) == 159


def test_a_registry_asked_for_no_builtin_checks_loads_no_instructor_checks_either() -> None:
    assert INSTRUCTOR_CHECKS not in CheckRegistry(builtin=False, use_env=False).dirs


def test_the_committed_points_table_is_in_step_with_the_checks() -> None:
    expected = render_points_table(points_table(CheckRegistry(use_env=False), NOTEBOOKS))
    assert POINTS_TABLE.read_text(encoding="utf-8") == expected, "run `python -m grader release` and commit it"


def test_without_hidden_checks_the_table_gives_the_full_points(monkeypatch: pytest.MonkeyPatch) -> None:
    public = CheckRegistry(use_env=False, instructor=False)
    monkeypatch.setattr(grader._kernel, "_registry", public)
    results = {r.id: r for r in grader._kernel.progress_results(0, {})}
    table = read_points_table()
    assert table["0.1"] == 2
    assert results["0.1"].max_points == 1 and results["0.1"].later == 1  # "1 more from checks that run at grading"
    info = public.exercise("0.1")
    assert info is not None and (info.max_points, info.full_points) == (1, 2)


def test_a_broken_points_table_says_how_to_rewrite_it(tmp_path: Path) -> None:
    bad = tmp_path / "points.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ChecksError, match="python -m grader release"):
        read_points_table(bad)
    bad.write_text(json.dumps({"total": 3}), encoding="utf-8")
    with pytest.raises(ChecksError, match="no exercises table"):
        read_points_table(bad)
    assert read_points_table(tmp_path / "absent.json") == {}
