"""Run an exercise's checks on every mutant of its solution: killed, survived, or reviewed as equivalent.

Each mutant runs in a child process forked from this one (imports already warm, so a fork costs milliseconds), with
a time limit: a mutant that loops forever is killed the way the grader's cell timeout would kill it. A mutant is
**killed** when the exercise fails on every seed it is tried on; it **survives** when the checks pass on any seed —
a check that catches a mistake only on lucky seeds leaves a hole, and random scenarios must never decide whether a
rule is exercised. The solution itself must pass on every seed first, or the run stops with the reason.
"""

from __future__ import annotations

import ast
import functools
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Final, Literal

from grader._api import CheckSpec, exercise_notebook
from grader._registry import CheckRegistry
from grader._runner import run_check, run_exercise
from grader.mutate._equivalent import Equivalents
from grader.mutate._operators import Edit, edits_of
from grader.mutate._solved import SolvedNotebook, find_solution

__all__ = ["ExerciseScore", "Mutant", "MutantOutcome", "SolutionFails", "mutants_of", "score_exercise"]

DEFAULT_SEEDS: Final = (1, 2)
DEFAULT_TIMEOUT: Final = 20.0

Status = Literal["killed", "survived", "equivalent"]
TIMED_OUT: Final = "ran past"  # how a mutant killed by the time limit is described


class SolutionFails(Exception):
    """The official solution does not pass its own checks: mutation scores would mean nothing."""


@dataclass(frozen=True, slots=True)
class Mutant:
    """One edit of one solution cell of an exercise."""

    exercise: str
    position: int  # of the cell among the executed cells of the solved notebook
    source: str  # the cell's original source
    edit: Edit
    brings: tuple[str, ...] = ()  # a generated cell's source exercises: their reviewed equivalents hold here too

    @property
    def mutated(self) -> str:
        return self.edit.apply(self.source)

    def _region(self) -> tuple[int, int]:
        begin = self.source.rfind("\n", 0, self.edit.start) + 1
        end = self.source.find("\n", self.edit.end)
        return begin, len(self.source) if end < 0 else end

    @property
    def before(self) -> str:
        begin, end = self._region()
        return self.source[begin:end]

    @property
    def after(self) -> str:
        begin, end = self._region()
        return self.edit.apply(self.source)[begin : end + len(self.edit.text) - (self.edit.end - self.edit.start)]

    def diff(self) -> str:
        """The changed lines, ``-`` before and ``+`` after, with the line number in the cell."""
        old = [f"- {line}" for line in self.before.splitlines()]
        new = [f"+ {line}" for line in self.after.splitlines()] or ["+ "]
        return "\n".join([f"{self.exercise} line {self.edit.line} of its cell ({self.edit.operator}):", *old, *new])


@dataclass(frozen=True, slots=True)
class MutantOutcome:
    mutant: Mutant
    status: Status
    detail: str = ""  # how it was killed (the check that failed), or the seed it survived on, or why equivalent


@dataclass(slots=True)
class ExerciseScore:
    exercise: str
    outcomes: list[MutantOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def killed(self) -> int:
        return self.count("killed")

    @property
    def survived(self) -> int:
        return self.count("survived")

    @property
    def timed_out(self) -> int:
        """Killed by the time limit alone: on a loaded machine a slow but correct mutant counts here too."""
        return sum(1 for o in self.outcomes if o.status == "killed" and o.detail.startswith(TIMED_OUT))

    @property
    def equivalent(self) -> int:
        return self.count("equivalent")

    @property
    def percent(self) -> float:
        """Killed, as a percentage of the mutants that are not equivalent (100 when there are none)."""
        live = self.killed + self.survived
        return 100.0 * self.killed / live if live else 100.0

    def survivors(self) -> list[MutantOutcome]:
        return [o for o in self.outcomes if o.status == "survived"]

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "mutants": len(self.outcomes),
            "killed": self.killed,
            "survived": self.survived,
            "equivalent": self.equivalent,
            "percent": round(self.percent, 1),
            "seconds": round(self.seconds, 2),
            "survivors": [{"diff": o.mutant.diff(), "detail": o.detail} for o in self.survivors()],
        }


def mutants_of(solved: SolvedNotebook, exercise: str) -> list[Mutant]:
    """Every mutant of the solution cells of ``exercise``, in cell then source order."""
    found = []
    for cell in solved.cells_of(exercise):
        found += [Mutant(exercise, cell.position, cell.source, e, cell.brings) for e in edits_of(cell.source)]
    return found


# --- running one mutant, in a child process -------------------------------------------------------------------------


def _run_mutant(
    solved: SolvedNotebook, mutant: Mutant | None, specs: list[CheckSpec], seeds: Sequence[int]
) -> tuple[Status, str]:
    """Build the mutated solved namespace; on each seed run the checks until one fails. Killed only if every seed
    found a failing check."""
    replace = {mutant.position: mutant.mutated} if mutant is not None else None
    try:
        ns = solved.namespace(replace=replace)
    except Exception as exc:
        return "killed", f"the cells fail to run ({type(exc).__name__})"
    first = ""
    for seed in seeds:
        failed = next((r for r in (run_check(s, ns, seed=seed) for s in specs) if not r.passed), None)
        if failed is None:
            return "survived", f"passed every check on seed {seed}"
        first = first or f"{failed.name}: {failed.message.splitlines()[0] if failed.message else failed.status}"
    return "killed", first


def _baseline(solved: SolvedNotebook, specs: list[CheckSpec], seeds: Sequence[int]) -> tuple[Status, str]:
    """The solution itself: it must pass on every seed ("survived" is the mutation word for that)."""
    ns = solved.namespace()
    for seed in seeds:
        result = run_exercise(specs[0].exercise, None, specs, ns, seed=seed)
        if not result.passed:
            return "killed", f"seed {seed}: {result.feedback}"
    return "survived", ""


def _child(conn: Connection, job: Callable[[], tuple[Status, str]]) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        conn.send(job())
    except BaseException as exc:  # noqa: BLE001 - anything a mutant does ends as a verdict
        conn.send(("killed", f"raised {type(exc).__name__}"))
    finally:
        conn.close()
        os._exit(0)


def _in_children(
    jobs: Iterable[tuple[int, Callable[[], tuple[Status, str]]]], *, parallel: int, timeout: float
) -> dict[int, tuple[Status, str]]:
    ctx = multiprocessing.get_context("fork")
    pending = list(jobs)
    pending.reverse()
    running: dict[Connection, tuple[int, Any, float]] = {}
    done: dict[int, tuple[Status, str]] = {}
    while pending or running:
        while pending and len(running) < parallel:
            key, job = pending.pop()
            parent, child = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_child, args=(child, job), daemon=True)
            process.start()
            child.close()
            running[parent] = (key, process, time.monotonic() + timeout)
        ready = wait(list(running), timeout=0.2)
        now = time.monotonic()
        for conn in list(running):
            key, process, deadline = running[conn]
            if conn in ready:
                try:
                    done[key] = conn.recv()
                except EOFError:
                    done[key] = ("killed", "the process died")
            elif now > deadline:
                process.kill()
                done[key] = ("killed", f"{TIMED_OUT} {timeout:.0f} s (a cell timeout)")
            else:
                continue
            process.join()
            conn.close()
            del running[conn]
    return done


# --- one exercise -----------------------------------------------------------------------------------------------------


def _warm_imports(solved: SolvedNotebook) -> None:
    """Import what the setup cell imports here, once, so each forked child starts with them loaded."""
    setup = ast.parse(solved.sources[0])
    imports = ast.Module(body=[s for s in setup.body if isinstance(s, ast.Import | ast.ImportFrom)], type_ignores=[])
    exec(compile(imports, "<setup imports>", "exec", dont_inherit=True), {"__name__": "__warm__"})


def score_exercise(
    exercise: str,
    *,
    solutions: Path = Path("solutions"),
    registry: CheckRegistry | None = None,
    equivalents: Equivalents | None = None,
    include_hidden: bool = False,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    sample: int | None = None,
    parallel: int = 2,
    timeout: float = DEFAULT_TIMEOUT,
) -> ExerciseScore:
    """Mutate the solution of ``exercise`` and run its checks on each mutant (a sample of ``sample`` when given)."""
    started = time.monotonic()
    number = exercise_notebook(exercise)
    registry = registry or CheckRegistry(use_env=False)
    info = registry.exercises(number).get(exercise)
    if info is None:
        raise LookupError(f"no checks declare exercise {exercise}: pick one of {sorted(registry.exercises(number))}")
    specs = info.selected(include_hidden=include_hidden)
    solved = SolvedNotebook(find_solution(solutions, number), number)
    _warm_imports(solved)
    mutants = mutants_of(solved, exercise)
    if sample is not None and sample < len(mutants):
        picked = sorted(random.Random(f"{exercise}/{sample}").sample(range(len(mutants)), sample))
        mutants = [mutants[i] for i in picked]
    equivalents = equivalents or Equivalents()
    score = ExerciseScore(exercise)
    to_run: list[tuple[int, Callable[[], tuple[Status, str]]]] = [(-1, lambda: _baseline(solved, specs, seeds))]
    for index, mutant in enumerate(mutants):
        if equivalents.reason(mutant) is None:
            to_run.append((index, functools.partial(_run_mutant, solved, mutant, specs, seeds)))
    verdicts = _in_children(to_run, parallel=parallel, timeout=timeout)
    baseline = verdicts.pop(-1)
    if baseline[0] != "survived":
        raise SolutionFails(f"the solution of {exercise} does not pass its own checks: {baseline[1]}")
    for index, mutant in enumerate(mutants):
        reason = equivalents.reason(mutant)
        if reason is not None:
            score.outcomes.append(MutantOutcome(mutant, "equivalent", reason))
        else:
            status, detail = verdicts[index]
            score.outcomes.append(MutantOutcome(mutant, status, detail))
    score.seconds = time.monotonic() - started
    return score
