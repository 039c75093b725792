"""Notebook 05 (prompt drift): the checks accept the solution, reject every plausible wrong answer, and the notebook
runs and grades end to end.

The wrong answers live in ``wrong/nb05/<mistake>.py``; the first line names the exercise (``# exercise: 5.3``). Each is
overlaid on the solution notebook's code (its definitions replace the solution's) and every check of that exercise,
hidden ones included, runs on the result.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from grader._nbio import dumps_notebook, load_notebook
from grader._registry import CheckRegistry
from grader.grade import find_submission, grade_cohort
from grader.release import BuildContext, build_notebook
from grader.testing import run_exercise_on_namespace

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "solutions" / "05-prompt-drift.ipynb"
WRONG = Path(__file__).parent / "wrong" / "nb05"
EXERCISES = ("5.1", "5.2", "5.3", "5.4", "5.5")
SEEDS = (11, 4242, 90210)
_EXERCISE_LINE = re.compile(r"^# exercise: (\d+\.\d+)$", re.MULTILINE)


def _cells(nb: Any) -> list[Any]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _tags(cell: Any) -> list[str]:
    return list(cell.metadata.get("tags", []))


@pytest.fixture(scope="module")
def story_namespace() -> dict[str, Any]:
    """The solution notebook's globals after running every code cell except the check cells (no kernel)."""
    import matplotlib

    matplotlib.use("Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    ns: dict[str, Any] = {"__name__": "__main__"}
    for cell in _cells(nb):
        if "check" not in _tags(cell) and "progress(" not in cell.source:
            exec(compile(cell.source, "<05-prompt-drift>", "exec", dont_inherit=True), ns)
    return ns


@pytest.fixture(scope="module")
def solution_sources() -> list[str]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return [c.source for c in _cells(nb) if "solution" in _tags(c)]


def _namespace(story: dict[str, Any], solutions: list[str], overlay: str = "") -> dict[str, Any]:
    """A fresh copy of the notebook's globals with the solution cells re-run in it (then the overlay, if any)."""
    ns = dict(story)
    for source in solutions:
        exec(compile(source, "<solution>", "exec", dont_inherit=True), ns)
    if overlay:
        exec(compile(overlay, "<wrong answer>", "exec", dont_inherit=True), ns)
    return ns


def _wrong_answers() -> list[tuple[str, str]]:
    found = []
    for path in sorted(WRONG.glob("*.py")):
        match = _EXERCISE_LINE.search(path.read_text(encoding="utf-8"))
        assert match, f"{path.name} should start with '# exercise: N.M'"
        found.append((match.group(1), path.stem))
    return found


def test_every_exercise_has_at_least_two_wrong_answers() -> None:
    per_exercise: dict[str, int] = {}
    for exercise, _ in _wrong_answers():
        per_exercise[exercise] = per_exercise.get(exercise, 0) + 1
    assert {ex: per_exercise.get(ex, 0) >= 2 for ex in EXERCISES} == dict.fromkeys(EXERCISES, True), per_exercise


def test_every_exercise_has_a_hidden_check_and_points() -> None:
    exercises = CheckRegistry(use_env=False).exercises(5)
    assert list(exercises) == list(EXERCISES)
    assert any(spec.hidden for info in exercises.values() for spec in info.checks)
    assert all(info.max_points >= 4 for info in exercises.values())


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_solution_passes_every_check(
    exercise: str, story_namespace: dict[str, Any], solution_sources: list[str]
) -> None:
    ns = _namespace(story_namespace, solution_sources)
    for seed in SEEDS:
        result = run_exercise_on_namespace(exercise, ns, seed=seed)
        assert result.passed, result.feedback
        assert result.points == result.max_points


@pytest.mark.parametrize(("exercise", "mistake"), _wrong_answers())
def test_the_wrong_answer_is_rejected(
    exercise: str, mistake: str, story_namespace: dict[str, Any], solution_sources: list[str]
) -> None:
    overlay = (WRONG / f"{mistake}.py").read_text(encoding="utf-8")
    ns = _namespace(story_namespace, solution_sources, overlay)
    for seed in SEEDS:
        result = run_exercise_on_namespace(exercise, ns, seed=seed)
        assert not result.passed, f"{mistake} passed exercise {exercise} with seed {seed}"
        assert result.status == "failed", result.feedback  # a teaching failure, not a broken check
        assert result.points < result.max_points
        assert "expected" in result.feedback or "should" in result.feedback, result.feedback


def test_the_checks_teach_without_giving_the_solution_away(
    story_namespace: dict[str, Any], solution_sources: list[str]
) -> None:
    overlay = (WRONG / "week_one_lax_parser.py").read_text(encoding="utf-8")
    result = run_exercise_on_namespace("5.4", _namespace(story_namespace, solution_sources, overlay), seed=7)
    assert "parse_strict should" in result.feedback
    assert "model_validate" not in result.feedback and "re.search" not in result.feedback


# --- end to end: one kernel run of the solution, one grading of each version ---------------------------------------


@pytest.fixture(scope="module")
def executed_solution() -> Any:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb


def test_the_solution_notebook_runs_top_to_bottom(executed_solution: Any) -> None:
    errors = [o for c in _cells(executed_solution) for o in c.outputs if o.output_type == "error"]
    assert errors == []
    outputs = [o for c in _cells(executed_solution) for o in c.outputs]
    texts = "\n".join(str(o.get("data", {}).get("text/plain", o.get("text", ""))) for o in outputs)
    assert "unsupported_parameter" in texts  # production broke, for real
    assert "BLOCKED" in texts and "DEPLOY" in texts  # the gate caught the update and let the migration through


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    registry = CheckRegistry(use_env=False)
    base = tmp_path_factory.mktemp("nb05")
    solved = base / "solved"
    learner = base / "learner"
    solved.mkdir()
    learner.mkdir()
    shutil.copy(NOTEBOOK, solved / NOTEBOOK.name)
    built = build_notebook(load_notebook(NOTEBOOK), BuildContext(NOTEBOOK.name, 5, registry))
    (learner / NOTEBOOK.name).write_text(dumps_notebook(built), encoding="utf-8")
    os.environ.pop("WEEKFOUR_SEED", None)
    subs = [find_submission(folder, [NOTEBOOK.name]) for folder in (solved, learner)]
    solved_score, learner_score = grade_cohort(subs, registry=registry, timeout=60, jobs=2, progress=False)
    yield {"solved": solved_score, "learner": learner_score}


def test_the_grader_gives_the_solution_full_marks(graded: dict[str, Any]) -> None:
    (notebook,) = graded["solved"].notebooks
    assert notebook.error is None
    assert [(e.id, e.points) for e in notebook.exercises] == [(e.id, e.max_points) for e in notebook.exercises]
    assert sum(e.max_points for e in notebook.exercises) >= 20


def test_the_grader_gives_the_learner_version_zero_with_not_attempted_feedback(graded: dict[str, Any]) -> None:
    (notebook,) = graded["learner"].notebooks
    assert notebook.error is None
    assert [e.id for e in notebook.exercises] == list(EXERCISES)
    for score in notebook.exercises:
        assert score.points == 0, (score.id, score.feedback)
        assert "not attempted yet" in score.feedback and "NotImplementedError" in score.feedback, score.feedback
