"""One learner's submission: find its notebooks, build the graded copies, run them, score every exercise.

A problem with one notebook (missing, not JSON, not a notebook, a symbolic link) costs that notebook only: it scores
zero with a message, at its full maximum, and the others are graded. A notebook the grader cannot grade (no notebook
number in its name, checks that do not load, a run that crashed) is marked ungradable: the command exits 2.

The grader reads each submitted notebook once and writes its graded copy into a temporary folder of its own: it never
writes to a submission, and never reads one through a link that leads elsewhere.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader._cells import notebook_number
from grader._nbio import NotebookError, dumps_notebook, load_notebook
from grader._registry import CheckRegistry, ChecksError, ExerciseInfo
from grader._runner import CheckResult, feedback_text
from grader.grade._execute import Limits, RunOutcome, run_pytest
from grader.grade._graded_copy import make_graded_copy
from grader.grade._results import ExerciseScore, NotebookScore, SubmissionScore
from grader.grade._scrub import clean

__all__ = ["Submission", "find_submission", "grade_submission"]


@dataclass(frozen=True, slots=True)
class Submission:
    learner: str
    path: Path  # as given on the command line
    notebooks: tuple[tuple[str, Path], ...]  # (expected name, where it should be)


def find_submission(path: Path, expected: list[str]) -> Submission:
    """A submission from a folder (of notebooks, or holding ``notebooks/``) or a single notebook file."""
    if path.is_file() or path.suffix == ".ipynb":
        return Submission(path.stem, path, ((path.name, path),))
    folder = path
    if not any(folder.glob("*.ipynb")) and (folder / "notebooks").is_dir():
        folder = folder / "notebooks"
    names = list(expected) if expected else sorted(p.name for p in folder.glob("*.ipynb"))
    learner_path = path.resolve()
    learner = learner_path.parent.name if learner_path.name == "notebooks" else learner_path.name
    return Submission(learner, path, tuple((name, folder / name) for name in names))


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError, OverflowError):
        return 0


def _refusal(name: str, path: Path, folder: Path) -> str | None:
    """Why ``path`` must not be read as the submission's notebook, or None."""
    try:
        if path.is_symlink():
            return f"{name} is a symbolic link, not a notebook file: the grader refuses it. Submit the notebook itself."
        if path.exists() and not path.resolve().is_relative_to(folder.resolve()):
            return f"{name} leads outside the submission folder: the grader refuses it. Submit the notebook itself."
    except (OSError, RuntimeError):
        return f"{name} could not be opened safely: submit the notebook file itself."
    return None


def _zero(exercises: dict[str, ExerciseInfo], reason: str) -> list[ExerciseScore]:
    return [ExerciseScore(ex.id, 0, ex.max_points, False, reason, ex.title) for ex in exercises.values()]


def _incident_note(item: dict[str, Any], timeout: float, graded: bool) -> str:
    if graded:
        what = f"the check {item['check']} (while it ran your code)"
    elif item.get("exercise_cell"):
        what = f"your solution cell of exercise {item['exercise_cell']}"
    else:
        what = f"your cell starting `{item.get('head', '')}`"
    if item["incident"] == "timeout":
        return (
            f"Note: {what} ran longer than {timeout:g} s and was stopped. Look for a loop that never ends (or a "
            "real sleep: waits go through the simulated clock)."
        )
    return (
        f"Note: {what} made the kernel die (os._exit, a crash, or running out of memory). The grader restarted the "
        "kernel and graded the rest without that cell."
    )


def _score_exercise(
    info: ExerciseInfo,
    items: list[dict[str, Any]],
    rows: dict[tuple[str, str], dict[str, Any]],
    notes: list[str],
    timeout: float,
) -> ExerciseScore:
    points = 0
    failed: list[CheckResult] = []
    extra: list[str] = list(notes)
    for spec in info.checks:
        item = next((i for i in items if i["exercise"] == info.id and i["check"] == spec.name), None)
        row = rows.get((info.id, spec.name))
        if item is not None and item["outcome"] == "passed" and row is not None and row.get("status") == "passed":
            points += spec.points
            continue
        if row is not None and row.get("status") != "passed":
            failed.append(
                CheckResult(
                    info.id,
                    spec.name,
                    0,
                    spec.points,
                    clean(row.get("status", "failed"), limit=20),
                    clean(row.get("message", ""), limit=4000),
                    spec.hidden,
                    _int(row.get("seed", 0)),
                )
            )
        elif item is None:
            extra.append(f"The check {spec.name} did not run (an earlier problem stopped the notebook).")
        elif item.get("incident"):
            extra.append(_incident_note(item, timeout, graded=True))
        else:
            extra.append(f"The check {spec.name} failed without a result:\n{clean(item.get('message', ''))[-600:]}")
    feedback = "\n".join(part for part in [*dict.fromkeys(extra), feedback_text(failed)] if part)
    passed = points == info.max_points and not failed and len(extra) == len(notes)
    return ExerciseScore(info.id, points, info.max_points, passed, clean(feedback), info.title)


def _score_notebook(
    label: str, name: str, exercises: dict[str, ExerciseInfo], outcome: RunOutcome, timeout: float
) -> NotebookScore:
    items = [i for i in outcome.items if i.get("notebook") == name]
    rows = {(r.get("exercise"), r.get("check")): r for r in outcome.rows}
    # An incident in a non-graded cell is charged to the exercise whose checks come next.
    notes: dict[str, list[str]] = {}
    pending: list[str] = []
    for item in items:
        if item.get("incident") and item.get("exercise") is None:
            pending.append(_incident_note(item, timeout, graded=False))
        elif item.get("exercise") is not None and pending:
            notes.setdefault(item["exercise"], []).extend(pending)
            pending = []
    scores = [_score_exercise(info, items, rows, notes.get(info.id, []), timeout) for info in exercises.values()]
    if outcome.error and not items:
        first = outcome.error.splitlines()[0]
        scores = _zero(exercises, "Not graded: " + first)
        return NotebookScore(label, scores, f"could not grade {name}: {clean(outcome.error)}", ungradable=True)
    return NotebookScore(label, scores, None)


def _plan(
    name: str, path: Path, folder: Path, registry: CheckRegistry
) -> tuple[NotebookScore | None, dict[str, ExerciseInfo] | None, dict[str, Any] | None]:
    """The notebook's final score when it cannot run, else its exercises and its graded copy."""
    label = str(path)
    number = notebook_number(name)
    if number is None:
        message = f"could not grade {name}: its name does not say which notebook it is (names start with NN-, e.g. 01-)"
        return NotebookScore(label, [], message, ungradable=True), None, None
    try:
        exercises = registry.exercises(number)
    except ChecksError as exc:
        message = f"could not grade {name}: its checks did not load ({exc}). Fix the checks and grade again."
        return NotebookScore(label, [], message, ungradable=True), None, None
    refused = _refusal(name, path, folder)
    if refused is not None:
        return NotebookScore(label, _zero(exercises, refused), refused), None, None
    try:
        nb = load_notebook(path)
    except NotebookError as exc:
        return NotebookScore(label, _zero(exercises, str(exc)), str(exc)), None, None
    return None, exercises, make_graded_copy(nb, exercises)


def grade_submission(
    sub: Submission, *, registry: CheckRegistry, timeout: float = 30.0, limits: Limits | None = None
) -> SubmissionScore:
    """Grade every expected notebook of ``sub``; never raises for a learner's file."""
    result = SubmissionScore(sub.learner, str(sub.path))
    planned: list[tuple[str, str, dict[str, ExerciseInfo]]] = []
    folder = sub.path if sub.path.is_dir() else sub.path.parent
    with tempfile.TemporaryDirectory(prefix="weekfour-grade-") as tmp:
        workdir = Path(tmp)
        scratch = workdir / "scratch"
        scratch.mkdir()
        copies: list[Path] = []
        cells = 0
        for name, path in sub.notebooks:
            final, exercises, graded = _plan(name, path, folder, registry)
            if final is not None or exercises is None or graded is None:
                result.notebooks.append(final or NotebookScore(str(path), [], f"could not grade {name}", True))
                continue
            target = scratch / name
            target.write_text(dumps_notebook(graded), encoding="utf-8")
            copies.append(target)
            cells += sum(1 for c in graded["cells"] if c.get("cell_type") == "code")
            planned.append((str(path), name, exercises))
        outcome = (
            run_pytest(
                copies,
                workdir,
                scratch=scratch,
                checks_env=registry.env_value(),
                timeout=timeout,
                cells=cells,
                limits=limits,
            )
            if copies
            else RunOutcome()
        )
    for label, name, exercises in planned:
        result.notebooks.append(_score_notebook(label, name, exercises, outcome, timeout))
    order = {str(path): i for i, (_, path) in enumerate(sub.notebooks)}
    result.notebooks.sort(key=lambda n: order.get(n.path, len(order)))
    return result
