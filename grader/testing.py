"""Helpers for tests that prove a check rejects wrong answers and accepts the solution, with no kernel.

``run_exercise_on_source("1.2", source)`` executes ``source`` in a fresh namespace (as if it were the learner's
notebook) and runs every check of the exercise, hidden ones included.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from grader._api import exercise_notebook
from grader._registry import CheckRegistry
from grader._runner import ExerciseResult, new_seed, run_exercise

__all__ = ["run_exercise_on_source", "run_exercise_on_namespace"]


def run_exercise_on_namespace(
    exercise_id: str,
    user_ns: dict[str, Any],
    *,
    checks: Iterable[Path | str] = (),
    include_hidden: bool = True,
    seed: int | None = None,
) -> ExerciseResult:
    """Run the checks of ``exercise_id`` against ``user_ns``; ``checks`` adds private folders."""
    registry = CheckRegistry(checks, use_env=False)
    info = registry.exercises(exercise_notebook(exercise_id)).get(exercise_id)
    if info is None:
        raise LookupError(f"no checks declare exercise {exercise_id}: add one with @exercise({exercise_id!r})")
    specs = info.selected(include_hidden=include_hidden)
    return run_exercise(exercise_id, info.title, specs, user_ns, seed=new_seed() if seed is None else seed)


def run_exercise_on_source(
    exercise_id: str,
    source: str,
    *,
    checks: Iterable[Path | str] = (),
    include_hidden: bool = True,
    seed: int | None = None,
) -> ExerciseResult:
    """Execute ``source`` as the learner's notebook code, then run the exercise's checks on it."""
    user_ns: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(source, f"<exercise {exercise_id}>", "exec", dont_inherit=True), user_ns)
    return run_exercise_on_namespace(exercise_id, user_ns, checks=checks, include_hidden=include_hidden, seed=seed)
