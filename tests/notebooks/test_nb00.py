"""Notebook 00: the warm-up check accepts the solution and rejects the plausible wrong answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.testing import run_exercise_on_source

WRONG = Path(__file__).parent / "wrong" / "nb00"
SOLUTION = """
def ask_status(agent, order_id):
    return agent.ask(f"Where is my order {order_id}?").status.lower()
"""


def test_0_1_accepts_the_solution_on_several_seeds() -> None:
    for seed in range(5):
        result = run_exercise_on_source("0.1", SOLUTION, seed=seed)
        assert result.passed, result.feedback


@pytest.mark.parametrize("case", sorted(p.stem for p in WRONG.glob("*.py")))
def test_0_1_rejects_wrong_answer(case: str) -> None:
    result = run_exercise_on_source("0.1", (WRONG / f"{case}.py").read_text())
    assert not result.passed
    assert result.feedback.strip(), "a rejection must say why"
