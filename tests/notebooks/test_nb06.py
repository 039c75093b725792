"""Notebook 06 (week four in production): the checks accept the solution, reject each plausible wrong answer, and the
notebook runs — the solution top to bottom, the learner version around its stubs, and through the grader.

Each wrong answer in ``wrong/nb06/`` is overlaid on a fresh namespace built from the solution notebook's setup cell,
its ``REASK`` cell and its solution cells (as if a learner had written everything else right); then the exercise named
in its first line is run with every check, hidden ones included. Its second line, ``# expect: ...``, is a piece of the
feedback it must get: it is rejected for the mistake it makes, not by accident.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grader._cells import is_solution
from grader._registry import CheckRegistry
from grader.grade import find_submission, grade_cohort
from grader.release import BuildContext, build_notebook
from grader.testing import run_exercise_on_namespace

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "06-week-four.ipynb"
WRONG = Path(__file__).parent / "wrong" / "nb06"
EXERCISES = ("6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8")
_HEADER = re.compile(r"^# Exercise (\d+\.\d+) .*\n# expect: (.+)$", re.MULTILINE)


def _notebook() -> nbformat.NotebookNode:
    return nbformat.read(SOLUTION, as_version=4)


_CELLS: list[Any] = []


def _solution_namespace() -> dict[str, Any]:
    """The setup cell, the REASK cell and every solution cell of the solution notebook, in a fresh namespace."""
    if not _CELLS:
        code = [c for c in _notebook().cells if c.cell_type == "code"]
        chosen = [code[0], *(c for c in code[1:] if is_solution(c) or c.source.startswith("REASK"))]
        _CELLS.extend(compile(c.source, "<solutions/06-week-four.ipynb>", "exec", dont_inherit=True) for c in chosen)
    ns: dict[str, Any] = {"__name__": "__main__"}
    for compiled in _CELLS:
        exec(compiled, ns)
    return ns


def _cases() -> list[str]:
    return sorted(p.stem for p in WRONG.glob("*.py"))


def _header(case: str) -> tuple[str, str]:
    text = (WRONG / f"{case}.py").read_text(encoding="utf-8")
    match = _HEADER.search(text)
    assert match, f"{case}.py must start with '# Exercise N.M — ...' and '# expect: <feedback fragment>'"
    return match.group(1), match.group(2).strip()


@pytest.mark.parametrize("seed", [1, 2])
def test_solution_passes_every_check_of_every_exercise(seed: int) -> None:
    ns = _solution_namespace()
    for ex in EXERCISES:
        result = run_exercise_on_namespace(ex, ns, seed=seed)
        assert result.passed, f"{ex}: {result.feedback}"
        assert result.points == result.max_points > 0


def test_every_exercise_has_two_wrong_answers_and_a_hidden_check() -> None:
    per_exercise: dict[str, int] = {}
    for case in _cases():
        ex, _ = _header(case)
        per_exercise[ex] = per_exercise.get(ex, 0) + 1
    assert {ex for ex, n in per_exercise.items() if n >= 2} == set(EXERCISES), per_exercise
    infos = CheckRegistry(use_env=False).exercises(6)
    assert set(infos) == set(EXERCISES)
    assert any(c.hidden for info in infos.values() for c in info.checks)


@pytest.mark.parametrize("case", _cases())
def test_wrong_answer_is_rejected_for_its_mistake(case: str) -> None:
    ex, expected = _header(case)
    ns = _solution_namespace()
    exec(compile((WRONG / f"{case}.py").read_text(encoding="utf-8"), f"<{case}>", "exec", dont_inherit=True), ns)
    result = run_exercise_on_namespace(ex, ns, seed=11)
    assert not result.passed, f"{case} passed exercise {ex}"
    assert result.points < result.max_points
    assert expected in result.feedback, result.feedback
    assert "tell your instructor" not in result.feedback, result.feedback  # the check itself must not break


def test_pasted_exercises_reuse_the_original_checks() -> None:
    """A paste that breaks notebook 02's budget fails 6.2 with notebook 02's own teaching message."""
    ns = _solution_namespace()
    exec("def worst_case_cost(body, catalog):\n    return 0.0\n", ns)
    result = run_exercise_on_namespace("6.2", ns, seed=3)
    assert not result.passed
    assert "notebook 02's check `bounds_the_worst_case`" in result.feedback, result.feedback


def test_the_solution_notebook_runs_top_to_bottom() -> None:
    from nbclient import NotebookClient

    nb = _notebook()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0]
    text = "\n".join(
        o.get("data", {}).get("text/plain", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "hardened" in text and "day three" in text  # the closing table compares both months


def test_grader_gives_the_solution_full_marks_and_the_stubs_zero(tmp_path: Path) -> None:
    registry = CheckRegistry(use_env=False)
    solved, learner = tmp_path / "solved", tmp_path / "learner"
    solved.mkdir()
    learner.mkdir()
    shutil.copy(SOLUTION, solved / SOLUTION.name)
    stubbed = build_notebook(_notebook(), BuildContext(SOLUTION.name, 6, registry))
    nbformat.write(stubbed, learner / SOLUTION.name)

    subs = [find_submission(folder, [SOLUTION.name]) for folder in (solved, learner)]
    full, zero = grade_cohort(subs, registry=registry, timeout=120, jobs=2, progress=False)
    (book,) = full.notebooks
    assert book.error is None, book.error
    assert book.score == book.max_score > 0, [(e.id, e.feedback) for e in book.exercises]

    (book,) = zero.notebooks
    assert book.score == 0
    assert [e.id for e in book.exercises] == list(EXERCISES)
    for exercise in book.exercises:
        assert "not attempted yet" in exercise.feedback, (exercise.id, exercise.feedback)


def test_the_learner_version_runs_every_story_cell_with_the_stubs_in_place() -> None:
    from nbclient import NotebookClient

    nb = build_notebook(_notebook(), BuildContext(SOLUTION.name, 6, CheckRegistry(use_env=False)))
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    failed = [
        c.source.splitlines()[0]
        for c in nb.cells
        if c.cell_type == "code"
        and any(o.output_type == "error" for o in c.get("outputs", []))
        and not {"check", "raises-exception", "solution"} & set(c.metadata.get("tags", []))
    ]
    assert not failed, failed
