"""The ``mutants`` verb: score the chosen exercises, print a line each and every survivor's diff, exit by the aim."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from grader._api import exercise_notebook
from grader._registry import CheckRegistry
from grader.mutate._equivalent import EQUIVALENTS_DIR, Equivalents
from grader.mutate._run import ExerciseScore, score_exercise

__all__ = ["all_exercises", "run"]


def all_exercises(registry: CheckRegistry, solutions: Path) -> list[str]:
    """Every exercise of every notebook in ``solutions/``, in course order."""
    numbers = sorted({int(p.name[:2]) for p in solutions.glob("[0-9][0-9]-*.ipynb")})
    return [e for n in numbers for e in registry.exercises(n)]


def _line(score: ExerciseScore) -> str:
    # Mutants the time limit killed are counted apart: on a loaded machine a slow, correct mutant is one of them.
    timed = f"  ({score.timed_out} by the time limit)" if score.timed_out else ""
    return (
        f"{score.exercise:>5}  {len(score.outcomes):4d} mutants  {score.killed:4d} killed  {score.survived:3d} "
        f"survived  {score.equivalent:3d} equivalent  {score.percent:5.1f}%  ({score.seconds:.0f} s){timed}"
    )


def run(
    exercises: Sequence[str],
    *,
    solutions: Path,
    registry: CheckRegistry,
    include_hidden: bool,
    seeds: Sequence[int],
    sample: int | None,
    parallel: int,
    timeout: float,
    fail_under: float,
    json_path: Path | None,
    out: TextIO = sys.stdout,
) -> int:
    """Score each exercise; 0 when every one reaches ``fail_under`` percent, 1 otherwise."""
    chosen = list(exercises) or all_exercises(registry, solutions)
    for exercise in chosen:
        exercise_notebook(exercise)  # a clear error for a malformed id
    equivalents = Equivalents.load(solutions / EQUIVALENTS_DIR)
    which = "public and hidden" if include_hidden else "public"
    print(
        f"Mutating the solutions of {len(chosen)} exercise(s); {which} checks; seeds {', '.join(map(str, seeds))}"
        + (f"; a sample of {sample} per exercise" if sample else ""),
        file=out,
        flush=True,
    )
    scores = []
    for exercise in chosen:
        score = score_exercise(
            exercise,
            solutions=solutions,
            registry=registry,
            equivalents=equivalents,
            include_hidden=include_hidden,
            seeds=seeds,
            sample=sample,
            parallel=parallel,
            timeout=timeout,
        )
        scores.append(score)
        print(_line(score), file=out, flush=True)
        for outcome in score.survivors():
            body = "\n".join("        " + line for line in outcome.mutant.diff().splitlines())
            print(f"{body}\n        ({outcome.detail})", file=out)
    live = sum(s.killed + s.survived for s in scores)
    killed = sum(s.killed for s in scores)
    below = [s.exercise for s in scores if s.percent < fail_under]
    total = 100.0 * killed / live if live else 100.0
    timed = sum(s.timed_out for s in scores)
    by_time = f", {timed} of them by the time limit" if timed else ""
    print(f"\nAll: {killed} of {live} non-equivalent mutants killed ({total:.1f}%){by_time}.", file=out)
    if sample is None and not exercises:
        for entry in equivalents.stale({s.exercise for s in scores}):
            print(f"Stale in {EQUIVALENTS_DIR} ({entry[0]}): {entry[1]!r} matches no mutant: remove it.", file=out)
    if json_path is not None:
        json_path.write_text(json.dumps([s.to_json() for s in scores], indent=1) + "\n", encoding="utf-8")
    if below:
        print(f"Below {fail_under:.0f}%: {', '.join(below)}. Strengthen their checks (read the survivors).", file=out)
        return 1
    print(f"Every exercise reaches {fail_under:.0f}%.", file=out)
    return 0
