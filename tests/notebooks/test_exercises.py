"""Every exercise of every notebook: the solution passes all its checks, and each plausible wrong answer is rejected for
the mistake it makes (see ``_harness.py`` for how a wrong answer is overlaid on the solved notebook).
"""

from __future__ import annotations

from collections import Counter

import pytest

from ._harness import (
    NOTEBOOKS,
    SOLUTION_SEEDS,
    WRONG_SEEDS,
    WrongAnswer,
    assert_passes,
    assert_rejected_for_its_mistake,
    notebook,
    wrong_answers,
)

EXERCISES = [(n, ex) for n in NOTEBOOKS for ex in notebook(n).exercises()]
WRONG_ANSWERS = wrong_answers()


@pytest.mark.parametrize("number", NOTEBOOKS, ids=lambda n: f"nb{n:02d}")
def test_the_checks_and_the_fixtures_cover_every_exercise(number: int) -> None:
    nb = notebook(number)
    exercises = nb.exercises()
    assert exercises, f"grader/checks/nb{number:02d}.py declares no exercise"
    assert nb.check_cells() == list(exercises), "the notebook's check cells and the declared exercises differ"
    assert all(any(not c.hidden for c in info.checks) for info in exercises.values()), "check() would run nothing"
    assert any(c.hidden for info in exercises.values() for c in info.checks), "the notebook has no hidden check"
    per_exercise = Counter(w.exercise for w in WRONG_ANSWERS if w.notebook == number)
    assert set(per_exercise) <= set(exercises), f"wrong answers for undeclared exercises: {per_exercise}"
    assert all(per_exercise[ex] >= 2 for ex in exercises), f"fewer than two wrong answers: {per_exercise}"


@pytest.mark.parametrize(("number", "exercise"), EXERCISES, ids=lambda v: f"nb{v:02d}" if isinstance(v, int) else v)
def test_the_solution_passes_every_check(number: int, exercise: str) -> None:
    for seed in SOLUTION_SEEDS:
        result = notebook(number).run(exercise, seed=seed)
        assert_passes(result)


@pytest.mark.parametrize("wrong", WRONG_ANSWERS, ids=lambda w: w.id)
def test_the_wrong_answer_is_rejected_for_its_mistake(wrong: WrongAnswer) -> None:
    for seed in WRONG_SEEDS:
        result = notebook(wrong.notebook).run(wrong.exercise, seed=seed, overlay=wrong)
        assert_rejected_for_its_mistake(result, wrong)
