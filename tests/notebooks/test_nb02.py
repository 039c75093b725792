"""Notebook 02 (runaway spend): every exercise's checks reject plausible wrong answers and accept the solution; the
solution notebook runs top to bottom; the grader gives it full marks and gives the learner version zero.

Wrong answers live in ``tests/notebooks/wrong/nb02/``, one mistake per file, named after the mistake; the first line
names the exercise (``# Exercise 2.2: ...``). Each is executed on top of the solution's code, so it only redefines the
names it gets wrong.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from grader._registry import CheckRegistry
from grader.grade import find_submission, grade_submission
from grader.release import BuildContext, build_notebook
from grader.testing import run_exercise_on_source

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "solutions" / "02-runaway-spend.ipynb"
WRONG = Path(__file__).parent / "wrong" / "nb02"
EXERCISES = ("2.1", "2.2", "2.3", "2.4", "2.5")
SEEDS = (11, 202, 3003)
_HEADER = re.compile(r"^# Exercise (\d+\.\d+): (.+)$")


def _cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _learner_code(nb: dict) -> str:
    """The setup cell and every solution cell: the code a learner's namespace holds when the checks run."""
    cells = _cells(nb)
    parts = [_source(cells[0])] + [_source(c) for c in cells if "solution" in c.get("metadata", {}).get("tags", [])]
    return "\n\n".join(parts)


@pytest.fixture(scope="module")
def notebook() -> dict:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def solution_code(notebook: dict) -> str:
    return _learner_code(notebook)


def _wrong_answers() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(WRONG.glob("*.py")):
        match = _HEADER.match(path.read_text(encoding="utf-8").splitlines()[0])
        assert match, f"{path.name}: the first line must be '# Exercise N.M: what the mistake is'"
        found.append((match.group(1), path))
    return found


def test_every_exercise_has_at_least_two_wrong_answers() -> None:
    per_exercise = {ex: 0 for ex in EXERCISES}
    for ex, _ in _wrong_answers():
        per_exercise[ex] += 1
    assert all(n >= 2 for n in per_exercise.values()), per_exercise


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_solution_passes_every_check(solution_code: str, exercise_id: str, seed: int) -> None:
    result = run_exercise_on_source(exercise_id, solution_code, seed=seed)
    assert result.passed, result.feedback
    assert result.points == result.max_points > 0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("exercise_id", "path"), _wrong_answers(), ids=lambda v: getattr(v, "stem", v))
def test_a_wrong_answer_is_rejected_with_a_teaching_message(
    solution_code: str, exercise_id: str, path: Path, seed: int
) -> None:
    source = solution_code + "\n\n" + path.read_text(encoding="utf-8")
    result = run_exercise_on_source(exercise_id, source, seed=seed)
    assert not result.passed
    assert result.points < result.max_points
    failed = [c for c in result.checks if not c.passed]
    assert all(c.status == "failed" for c in failed), [(c.name, c.status, c.message) for c in failed]
    assert all(c.message.strip() for c in failed)


def test_the_solution_notebook_executes_top_to_bottom_without_error() -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False).execute(cwd=str(ROOT))
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Refused before sending" in text  # the demo of both clients behind one budget
    assert "initial state: $" in text  # the widget computed its night headless


def _grade(folder: Path) -> dict[str, tuple[int, int, str]]:
    registry = CheckRegistry(use_env=False)
    score = grade_submission(find_submission(folder, [NOTEBOOK.name]), registry=registry, timeout=120.0)
    [notebook_score] = score.notebooks
    assert notebook_score.error is None, notebook_score.error
    return {e.id: (e.points, e.max_points, e.feedback) for e in notebook_score.exercises}


def test_the_grader_gives_the_solution_full_marks(tmp_path: Path) -> None:
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    scores = _grade(tmp_path)
    assert set(scores) == set(EXERCISES)
    assert all(points == maximum > 0 for points, maximum, _ in scores.values()), scores


def test_the_grader_gives_the_learner_version_zero_and_says_not_attempted(tmp_path: Path, notebook: dict) -> None:
    import nbformat

    ctx = BuildContext(name=NOTEBOOK.name, number=2, registry=CheckRegistry(use_env=False))
    learner = build_notebook(nbformat.reads(json.dumps(notebook), as_version=4), ctx)
    assert "### BEGIN SOLUTION" not in json.dumps(learner)
    nbformat.write(learner, tmp_path / NOTEBOOK.name)
    scores = _grade(tmp_path)
    assert set(scores) == set(EXERCISES)
    for ex, (points, _, feedback) in scores.items():
        assert points == 0, ex
        assert "not attempted" in feedback and "NotImplementedError" in feedback, (ex, feedback)
