"""The mutation measure of check strength: the operators, the reviewed equivalents, and a sampled run per exercise.

The full run (every mutant of every exercise) is ``python -m grader mutants`` and ``benchmarks/bench_mutants.py``;
here a fixed sample of each exercise's mutants must be killed at the course's aim, so a check that loses strength
fails CI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader._registry import CheckRegistry
from grader.mutate import EQUIVALENTS_DIR, Equivalents, Mutant, edits_of, score_exercise
from grader.mutate._command import all_exercises

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
AIM = 90.0
SAMPLE = 12

CELL = '''def guard(x, limit=3):
    """Docstrings are never mutated."""
    ### BEGIN SOLUTION
    if x > limit and x != 0:
        return min(x, 10)
    try:
        y = x + 1.5
    except ValueError:
        pass
    return y
    ### END SOLUTION


SCAFFOLD = 1 + 1
'''


def _texts(source: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for edit in edits_of(source):
        found.setdefault(edit.operator, set()).add(edit.apply(source).splitlines()[edit.line - 1].strip())
    return found


def test_every_operator_makes_its_mistake_inside_the_markers_only() -> None:
    texts = _texts(CELL)
    assert {"if x >= limit and x != 0:", "if x < limit and x != 0:", "if x > limit and x == 0:"} <= texts["compare"]
    assert {"if x > limit or x != 0:", "if x > limit:", "if x != 0:", "if not (x > limit and x != 0):"} <= texts[
        "boolean"
    ]
    boundary = {"if x > limit and x != 1:", "if x > limit and x != (-1):", "y = x + 3.0", "y = x + 0.75"}
    assert boundary <= texts["boundary"]
    assert {"return max(x, 10)"} <= texts["builtin"]
    assert {"y = x - 1.5"} <= texts["arithmetic"]
    assert {"except ():"} <= texts["except"]
    assert {"return None"} <= texts["return"]
    assert "pass" in texts["statement"]
    changed_lines = {e.line for e in edits_of(CELL)}
    assert changed_lines <= set(range(4, 11)), "a mutant outside the solution markers"


def test_every_mutant_still_parses_and_differs_from_the_solution() -> None:
    for edit in edits_of(CELL):
        mutated = edit.apply(CELL)
        assert mutated != CELL
        ast.parse(mutated)


def test_a_cell_without_markers_has_no_mutants() -> None:
    assert edits_of("x = 1\nif x > 0:\n    x = 2\n") == []


def _mutant(before: str, after: str) -> Mutant:
    source = f"def f(x):\n    ### BEGIN SOLUTION\n    {before}\n    ### END SOLUTION\n"
    edit = next(e for e in edits_of(source) if e.apply(source).splitlines()[2].strip() == after)
    return Mutant("9.1", 1, source, edit)


def test_an_equivalent_is_matched_by_its_lines_and_stale_entries_are_found(tmp_path: Path) -> None:
    path = tmp_path / "nb09.toml"
    path.write_text(
        '[[equivalent]]\nexercise = "9.1"\nbefore = "return x + 1"\nafter = "return x - 1"\nreason = "r"\n'
        '[[equivalent]]\nexercise = "9.1"\nbefore = "gone"\nafter = "away"\nreason = "stale"\n',
        encoding="utf-8",
    )
    equivalents = Equivalents.load(path)
    mutant = _mutant("return x + 1", "return x - 1")
    assert mutant.diff().splitlines()[1:] == ["-     return x + 1", "+     return x - 1"]
    assert equivalents.reason(mutant) == "r"
    assert equivalents.reason(_mutant("return x + 1", "return x + 2")) is None
    assert equivalents.stale({"9.1"}) == [("9.1", "gone", "away")]


def test_an_equivalents_entry_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nb09.toml"
    path.write_text('[[equivalent]]\nexercise = "9.1"\nbefore = "a"\nafter = "b"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="lacks reason"):
        Equivalents.load(path)


REGISTRY = CheckRegistry(use_env=False)
EQUIVALENTS = Equivalents.load(SOLUTIONS / EQUIVALENTS_DIR)


@pytest.mark.parametrize("exercise", all_exercises(REGISTRY, SOLUTIONS))
def test_a_sample_of_the_solutions_mutants_is_killed_by_the_public_checks(exercise: str) -> None:
    score = score_exercise(
        exercise, solutions=SOLUTIONS, registry=REGISTRY, equivalents=EQUIVALENTS, sample=SAMPLE, parallel=2
    )
    assert score.outcomes, f"exercise {exercise} has no mutants: are its solution markers in place?"
    survivors = "\n\n".join(f"{o.mutant.diff()}\n({o.detail})" for o in score.survivors())
    assert score.percent >= AIM, f"{exercise}: {score.killed} killed, {score.survived} survived:\n{survivors}"


def test_mutants_the_time_limit_killed_are_counted_apart_in_the_report() -> None:
    from grader.mutate._command import _line
    from grader.mutate._run import TIMED_OUT, ExerciseScore, MutantOutcome

    loops, fails = _mutant("return x + 1", "return x - 1"), _mutant("return x + 1", "return x + 2")
    score = ExerciseScore(
        "9.1",
        [
            MutantOutcome(loops, "killed", f"{TIMED_OUT} 20 s (a cell timeout)"),
            MutantOutcome(fails, "killed", "check `adds_one` failed on seed 1"),
        ],
    )
    assert (score.killed, score.timed_out) == (2, 1)
    assert _line(score).endswith("(1 by the time limit)")
    assert "time limit" not in _line(ExerciseScore("9.1", [score.outcomes[1]]))
