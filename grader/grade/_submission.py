"""One learner's submission: find its notebooks, build the graded copies, run them, score every exercise.

A problem with one notebook (missing, not JSON, not a notebook, a symbolic link) costs that notebook only: it scores
zero with a message, at its full maximum, and the others are graded. A notebook the grader cannot grade (no notebook
number in its name, checks that do not load, a run that crashed) is marked ungradable: the command exits 2.

The grader reads each submitted notebook once and writes its graded copy into a temporary folder of its own: it never
writes to a submission, and never reads one through a link that leads elsewhere.

Each notebook runs twice, at the same time, with the same seed: under nbval in a contained kernel (the learner's
feedback, and proof the notebook runs), and in the verdict process (:mod:`grader.grade._verdict`), where learner code
cannot reach the checks. A check earns its points only when both say it passed; when the kernel says passed and the
verdict does not, the exercise scores 0 and is flagged for review. Refusals of the verdict's guard, changes to the
grader's objects, forged lines on its channel, and cells that reach for the grader's internals
(:mod:`grader.grade._static`) are flagged too.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from grader._cells import notebook_number
from grader._nbio import NotebookError, dumps_notebook, load_notebook
from grader._registry import POINTS_TABLE, CheckRegistry, ChecksError, ExerciseInfo
from grader._runner import CheckResult, feedback_text, new_seed
from grader.grade._contain import containment, readable_roots
from grader.grade._execute import Limits, RunOutcome, grading_env, run_pytest
from grader.grade._graded_copy import make_graded_copy
from grader.grade._results import ExerciseScore, IntegrityFlag, NotebookScore, SubmissionScore
from grader.grade._scrub import clean
from grader.grade._slice import authored_story, check_names, slice_graded_copy
from grader.grade._static import scan_notebook
from grader.grade._verdict import Verdict, VerdictProcess

__all__ = ["Submission", "find_submission", "grade_submission"]

_FLAG_LIMIT: Final = 20  # flags of one kind kept per notebook
_NBVAL_CELL: Final = re.compile(r"^Cell \d+: ", re.MULTILINE)  # a cell number of the graded copy, not the learner's


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


def _nbval_failure(text: str) -> str:
    """nbval's report of a failed cell, as a learner can use it: the traceback, not nbval's header with the graded
    copy's cell number and the grader's own cell source."""
    text = clean(text)
    if text.startswith("Notebook cell execution failed"):
        _, found, rest = text.partition("\nTraceback:\n")
        text = rest.strip() if found else text
    return _NBVAL_CELL.sub("", text)[-600:]


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


def _disagreement(info: ExerciseInfo, check: str, verdict: Verdict) -> IntegrityFlag:
    result = verdict.checks.get((info.id, check))
    if result is None:
        said = f"gave no result ({verdict.error})" if verdict.error else "gave no result"
    else:
        said = f"said {result.get('status')}"
        message = str(result.get("message") or "").strip().splitlines()
        if message:
            said += f": {message[0][:200]}"
    detail = f"the check {check} passed in the notebook's kernel, but the verdict process {said}"
    return IntegrityFlag(kind="disagreement", exercise=info.id, detail=clean(detail, limit=400))


def _score_exercise(
    info: ExerciseInfo,
    items: list[dict[str, Any]],
    rows: Mapping[tuple[object, object], dict[str, Any]],
    notes: list[str],
    timeout: float,
    verdict: Verdict | None = None,
    flags: list[IntegrityFlag] | None = None,
) -> ExerciseScore:
    points = 0
    failed: list[CheckResult] = []
    extra: list[str] = list(notes)
    disagreed = False
    for spec in info.checks:
        item = next((i for i in items if i["exercise"] == info.id and i["check"] == spec.name), None)
        row = rows.get((info.id, spec.name))
        if item is not None and item["outcome"] == "passed" and row is not None and row.get("status") == "passed":
            if verdict is None or verdict.passed(info.id, spec.name):
                points += spec.points
                continue
            disagreed = True
            if flags is not None:
                flags.append(_disagreement(info, spec.name, verdict))
            continue
        if row is not None and row.get("status") != "passed":
            reported = CheckResult.from_row(row, spec=spec)
            failed.append(replace(reported, message=clean(reported.message, limit=4000)))
        elif item is None:
            extra.append(f"The check {spec.name} did not run (an earlier problem stopped the notebook).")
        elif item.get("incident"):
            extra.append(_incident_note(item, timeout, graded=True))
        else:
            extra.append(f"The check {spec.name} failed without a result:\n{_nbval_failure(item.get('message', ''))}")
    if disagreed:
        points = 0
        extra.insert(
            0,
            "Flagged for review: a check passed in your notebook's run but not when the grader ran your code again "
            "on its own, so this exercise scores 0 until your instructor has looked at it.",
        )
    feedback = "\n".join(part for part in [*dict.fromkeys(extra), feedback_text(failed)] if part)
    passed = points == info.max_points and not failed and len(extra) == len(notes) and not disagreed
    return ExerciseScore(info.id, points, info.max_points, passed, clean(feedback), info.title)


def _verdict_flags(verdict: Verdict) -> list[IntegrityFlag]:
    flags = [
        IntegrityFlag(
            kind="refused",
            detail=clean(str(r.get("detail", "")), limit=300),
            cell=r.get("cell") if isinstance(r.get("cell"), int) else None,
            line=r.get("line") if isinstance(r.get("line"), int) else None,
        )
        for r in verdict.refusals[:_FLAG_LIMIT]
    ]
    if len(verdict.refusals) > _FLAG_LIMIT:
        flags.append(IntegrityFlag(kind="refused", detail=f"{len(verdict.refusals) - _FLAG_LIMIT} more refusals"))
    for t in verdict.tampered:
        names = ", ".join(str(n) for n in t.get("names", []))
        flags.append(
            IntegrityFlag(
                kind="tampered",
                detail=clean(f"changed the grader's or the kit's objects: {names}", limit=300),
                cell=t.get("cell") if isinstance(t.get("cell"), int) else None,
            )
        )
    if verdict.forged:
        flags.append(
            IntegrityFlag(
                kind="tampered", detail=f"{verdict.forged} lines written to the verdict channel without its key"
            )
        )
    return flags


def _static_flags(nb: dict[str, Any]) -> list[IntegrityFlag]:
    found = scan_notebook(nb)
    return [
        IntegrityFlag(kind="reaches-internals", detail=clean(reach.detail, limit=200), cell=cell, line=reach.line)
        for cell, reach in found[:_FLAG_LIMIT]
    ]


def _score_notebook(
    label: str,
    name: str,
    exercises: dict[str, ExerciseInfo],
    outcome: RunOutcome,
    timeout: float,
    verdict: Verdict | None = None,
    flags: list[IntegrityFlag] | None = None,
) -> NotebookScore:
    flags = list(flags or [])
    if verdict is not None:
        flags += _verdict_flags(verdict)
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
    disagreements: list[IntegrityFlag] = []
    scores = [
        _score_exercise(info, items, rows, notes.get(info.id, []), timeout, verdict, disagreements)
        for info in exercises.values()
    ]
    if outcome.error and not items:
        first = outcome.error.splitlines()[0]
        scores = _zero(exercises, "Not graded: " + first)
        message = f"could not grade {name}: {clean(outcome.error)}"
        return NotebookScore(label, scores, message, ungradable=True, flags=flags)
    return NotebookScore(label, scores, None, flags=disagreements + flags)


def _plan(
    name: str, path: Path, folder: Path, registry: CheckRegistry
) -> tuple[NotebookScore | None, dict[str, ExerciseInfo] | None, dict[str, Any] | None, dict[str, Any] | None]:
    """The notebook's final score when it cannot run, else its exercises and its graded copy."""
    label = str(path)
    number = notebook_number(name)
    if number is None:
        message = f"could not grade {name}: its name does not say which notebook it is (names start with NN-, e.g. 01-)"
        return NotebookScore(label, [], message, ungradable=True), None, None, None
    try:
        exercises = registry.exercises(number)
    except ChecksError as exc:
        message = f"could not grade {name}: its checks did not load ({exc}). Fix the checks and grade again."
        return NotebookScore(label, [], message, ungradable=True), None, None, None
    refused = _refusal(name, path, folder)
    if refused is not None:
        return NotebookScore(label, _zero(exercises, refused), refused), None, None, None
    try:
        nb = load_notebook(path)
    except NotebookError as exc:
        return NotebookScore(label, _zero(exercises, str(exc)), str(exc)), None, None, None
    return None, exercises, make_graded_copy(nb, exercises), nb


def _story_folders(registry: CheckRegistry) -> list[Path]:
    """Where the story tables are: the built-in checks' folder (the course's own), then every checks folder."""
    return ([POINTS_TABLE.parent] if registry.builtin else []) + list(registry.dirs)


def _check_names(registry: CheckRegistry, exercises: dict[str, ExerciseInfo]) -> frozenset[str]:
    """The names the notebook's checks ask for — with those of the notebooks whose checks they rerun (``BRINGS``)."""
    modules = {spec.func.__module__ for info in exercises.values() for spec in info.checks}
    for name in list(modules):
        brings = getattr(sys.modules.get(name), "BRINGS", None)  # {exercise: (notebook, names, (exercise ids))}
        if isinstance(brings, dict):
            numbers = {int(ex.split(".")[0]) for entry in brings.values() for ex in entry[-1]}
            for number in numbers:
                with contextlib.suppress(ChecksError):
                    modules |= {spec.func.__module__ for spec in registry.checks(number)}
    return check_names(modules)


def _run_verdicts(
    jobs: list[tuple[str, int, dict[str, Any]]],
    *,
    scratch: Path,
    registry: CheckRegistry,
    seed: int,
    timeout: float,
    limits: Limits,
    on_notebook: Callable[[int, int, str], None] | None = None,
) -> dict[str, Verdict]:
    """Each notebook decided by the verdict process (one zygote for the submission, one fresh child per notebook);
    ``on_notebook(n, of, name)`` hears each one start."""
    verdicts: dict[str, Verdict] = {}
    folders = [Path(p) for p in registry.env_value().split(os.pathsep) if p]
    process = VerdictProcess(
        scratch=scratch,
        read=readable_roots(folders),
        memory=limits.memory,
        contain=limits.contain and containment().files,
        env=grading_env(scratch, registry.env_value(), seed),
    )
    try:
        for index, (name, number, graded) in enumerate(jobs, start=1):
            if on_notebook is not None:
                on_notebook(index, len(jobs), name)
            verdicts[name] = process.run(graded, number, seed=seed, timeout=timeout, private=folders)
    finally:
        process.close()
    return verdicts


def grade_submission(
    sub: Submission,
    *,
    registry: CheckRegistry,
    timeout: float = 30.0,
    limits: Limits | None = None,
    on_notebook: Callable[[int, int, str], None] | None = None,
) -> SubmissionScore:
    """Grade every expected notebook of ``sub``; never raises for a learner's file. ``on_notebook(n, of, name)``
    hears each notebook start (the two runs go through the notebooks side by side)."""
    limits = limits or Limits()
    result = SubmissionScore(sub.learner, str(sub.path))
    planned: list[tuple[str, str, dict[str, ExerciseInfo], list[IntegrityFlag]]] = []
    jobs: list[tuple[str, int, dict[str, Any]]] = []
    folder = sub.path if sub.path.is_dir() else sub.path.parent
    seed = new_seed()
    with tempfile.TemporaryDirectory(prefix="weekfour-grade-") as tmp:
        workdir = Path(tmp)
        scratch = workdir / "scratch"
        scratch.mkdir()
        copies: list[Path] = []
        cells = 0
        for name, path in sub.notebooks:
            final, exercises, graded, nb = _plan(name, path, folder, registry)
            if final is not None or exercises is None or graded is None or nb is None:
                result.notebooks.append(final or NotebookScore(str(path), [], f"could not grade {name}", True))
                continue
            if not limits.full:
                graded, _ = slice_graded_copy(
                    graded,
                    authored=authored_story(_story_folders(registry), notebook_number(name) or 0),
                    needed_by_checks=_check_names(registry, exercises),
                )
            target = scratch / name
            target.write_text(dumps_notebook(graded), encoding="utf-8")
            copies.append(target)
            cells += sum(1 for c in graded["cells"] if c.get("cell_type") == "code")
            planned.append((str(path), name, exercises, _static_flags(nb)))
            jobs.append((name, notebook_number(name) or 0, graded))
        verdicts: dict[str, Verdict] = {}
        worker = None
        if limits.verdict and jobs:

            def decide() -> None:
                verdicts.update(
                    _run_verdicts(
                        jobs,
                        scratch=scratch,
                        registry=registry,
                        seed=seed,
                        timeout=timeout,
                        limits=limits,
                        on_notebook=on_notebook,
                    )
                )

            worker = threading.Thread(target=decide, name="verdict", daemon=True)
            worker.start()
        try:
            outcome = (
                run_pytest(
                    copies,
                    workdir,
                    scratch=scratch,
                    checks_env=registry.env_value(),
                    timeout=timeout,
                    cells=cells,
                    seed=seed,
                    limits=limits,
                )
                if copies
                else RunOutcome()
            )
        finally:
            if worker is not None:
                worker.join()
    for label, name, exercises, flags in planned:
        verdict = verdicts.get(name, Verdict(error="the verdict process did not run")) if limits.verdict else None
        result.notebooks.append(_score_notebook(label, name, exercises, outcome, timeout, verdict, flags))
    order = {str(path): i for i, (_, path) in enumerate(sub.notebooks)}
    result.notebooks.sort(key=lambda n: order.get(n.path, len(order)))
    return result
