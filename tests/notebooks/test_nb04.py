"""Notebook 04 (no fallback): the checks accept the solution, reject each plausible wrong answer, and the notebook runs.

Each wrong answer in ``wrong/nb04/`` is overlaid on a fresh namespace built from the solution notebook's setup and
solution cells (as if a learner had written everything else right), then the exercise named at the start of its
docstring (``\"\"\"4.2: ...``) is run with every check, hidden ones included. Its ``# expect: ...`` line is a piece of
the feedback it must get: it is rejected for the mistake it makes, not by accident.
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
SOLUTION = ROOT / "solutions" / "04-fallbacks.ipynb"
WRONG = Path(__file__).parent / "wrong" / "nb04"
EXERCISES = ("4.1", "4.2", "4.3", "4.4", "4.5")
_HEADER = re.compile(r'^"""(\d+\.\d+): .*"""\n(?:#.*\n)*?# expect: (.+)$', re.MULTILINE)


def _notebook() -> nbformat.NotebookNode:
    return nbformat.read(SOLUTION, as_version=4)


def _solution_namespace() -> dict[str, Any]:
    """The setup cell and every solution cell of the solution notebook, executed into a fresh namespace."""
    code = [c for c in _notebook().cells if c.cell_type == "code"]
    ns: dict[str, Any] = {"__name__": "__main__"}
    for cell in [code[0], *(c for c in code if is_solution(c))]:
        exec(compile(cell.source, "<solutions/04-fallbacks.ipynb>", "exec"), ns)
    return ns


def _cases() -> list[str]:
    return sorted(p.stem for p in WRONG.glob("*.py"))


def _header(case: str) -> tuple[str, str]:
    text = (WRONG / f"{case}.py").read_text(encoding="utf-8")
    match = _HEADER.match(text)
    assert match, f'{case}.py must start with """N.M: <the mistake>""" and carry a line # expect: <feedback fragment>'
    return match.group(1), match.group(2).strip()


@pytest.mark.parametrize("seed", [1, 2, 3])
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
    infos = CheckRegistry(use_env=False).exercises(4)
    assert set(infos) == set(EXERCISES)
    assert all(any(c.hidden for c in info.checks) for info in infos.values())
    assert all(any(not c.hidden for c in info.checks) for info in infos.values())


@pytest.mark.parametrize("case", _cases())
@pytest.mark.parametrize("seed", [11, 12])
def test_wrong_answer_is_rejected_for_its_mistake(case: str, seed: int) -> None:
    ex, expected = _header(case)
    ns = _solution_namespace()
    exec(compile((WRONG / f"{case}.py").read_text(encoding="utf-8"), f"<{case}>", "exec"), ns)
    result = run_exercise_on_namespace(ex, ns, seed=seed)
    assert not result.passed, f"{case} passed exercise {ex}"
    assert result.points < result.max_points
    assert expected in result.feedback, result.feedback
    assert "tell your instructor" not in result.feedback, result.feedback  # the check itself must not break


_TUNED_TO_THE_EXAMPLE = """
def call_with_retries(send, *, clock, rng, max_attempts=4, base=0.5, cap=8.0, deadline=30.0):
    for attempt in range(max_attempts):
        response = send()
        if response.is_success or not is_retryable(response):
            return response
        clock.sleep(2.5)  # the wait of the notebook's try-it example
    return response
"""


def test_an_answer_tuned_to_the_example_fails_because_scenarios_change_per_run() -> None:
    ns = _solution_namespace()
    exec(_TUNED_TO_THE_EXAMPLE, ns)
    results = [run_exercise_on_namespace("4.2", ns, seed=seed) for seed in range(20, 24)]
    assert not any(r.passed for r in results)
    assert all("The 429 asked for a wait of" in r.feedback for r in results)


def test_the_solution_notebook_runs_top_to_bottom() -> None:
    from nbclient import NotebookClient

    nb = _notebook()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", [])
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors, errors[0]
    text = "".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "user-facing errors (HTTP 500)" in text  # the before/after table is on screen
    assert "spared" in text


def test_grader_gives_the_solution_full_marks_and_the_stubs_zero(tmp_path: Path) -> None:
    registry = CheckRegistry(use_env=False)
    solved, learner = tmp_path / "solved", tmp_path / "learner"
    solved.mkdir()
    learner.mkdir()
    shutil.copy(SOLUTION, solved / SOLUTION.name)
    stubbed = build_notebook(_notebook(), BuildContext(SOLUTION.name, 4, registry))
    nbformat.write(stubbed, learner / SOLUTION.name)

    subs = [find_submission(folder, [SOLUTION.name]) for folder in (solved, learner)]
    full, zero = grade_cohort(subs, registry=registry, timeout=60, jobs=2, progress=False)
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

    nb = build_notebook(_notebook(), BuildContext(SOLUTION.name, 4, CheckRegistry(use_env=False)))
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    failed = [
        c.source.splitlines()[0]
        for c in nb.cells
        if c.cell_type == "code"
        and any(o.output_type == "error" for o in c.get("outputs", []))
        and not {"check", "raises-exception"} & set(c.metadata.get("tags", []))
    ]
    assert not failed, failed
