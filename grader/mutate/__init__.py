"""``python -m grader mutants``: how strong an exercise's checks are, measured on mutants of its official solution.

A check that passes the solution and rejects the mistakes its author thought of can still let most other mistakes
through. Mutation testing finds those: every small edit of the solution (a flipped comparison, a boundary moved by
one, a dropped statement or ``except`` clause, ``and`` for ``or``...) that the checks still accept is a hole, unless a
reviewer agreed it changes nothing (``solutions/equivalent-mutants/``). The aim is at least 90% of the
non-equivalent mutants killed in every exercise.

Why not mutmut or cosmic-ray: both mutate importable module files and rerun a test command per mutant. A solution
here is a marked region of a notebook cell, executed into a namespace with the rest of the notebook's solutions, and
"killed" means that exercise's checks fail, so a small ``ast`` mutator (``_operators``) that edits only the marked
regions and a fork-per-mutant runner (``_run``) are simpler than adapting either to notebooks.
"""

from __future__ import annotations

from grader.mutate._equivalent import EQUIVALENTS_DIR, Equivalents
from grader.mutate._operators import Edit, edits_of
from grader.mutate._run import (
    DEFAULT_SEEDS,
    ExerciseScore,
    Mutant,
    MutantOutcome,
    SolutionFails,
    mutants_of,
    score_exercise,
)
from grader.mutate._solved import SolutionCell, SolvedNotebook, find_solution

__all__ = [
    "DEFAULT_SEEDS",
    "EQUIVALENTS_DIR",
    "Edit",
    "Equivalents",
    "ExerciseScore",
    "Mutant",
    "MutantOutcome",
    "SolutionCell",
    "SolutionFails",
    "SolvedNotebook",
    "edits_of",
    "find_solution",
    "mutants_of",
    "score_exercise",
]
