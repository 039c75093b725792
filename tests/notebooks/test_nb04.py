"""Notebook 04 (no fallback): what only this notebook promises, on top of ``test_exercises.py``."""

from __future__ import annotations

from ._harness import Grades, assert_full_marks_and_zero, error_outputs, notebook, output_text

NB = notebook(4)

_TUNED_TO_THE_EXAMPLE = """
def call_with_retries(send, *, clock, rng, max_attempts=4, base=0.5, cap=8.0, deadline=30.0):
    for attempt in range(max_attempts):
        response = send()
        if response.is_success or not is_retryable(response):
            return response
        clock.sleep(2.5)  # the wait of the notebook's try-it example
    return response
"""


def test_every_exercise_has_a_hidden_check() -> None:
    assert all(any(c.hidden for c in info.checks) for info in NB.exercises().values())


def test_an_answer_tuned_to_the_example_fails_because_scenarios_change_per_run() -> None:
    results = [NB.run("4.2", seed=seed, overlay=_TUNED_TO_THE_EXAMPLE) for seed in range(20, 24)]
    assert not any(r.passed for r in results)
    assert all("The 429 asked for a wait of" in r.feedback for r in results)


def test_the_degraded_case_of_check_4_3_asks_a_question_the_cache_has_not_seen() -> None:
    # On these seeds the "new" question drew the one answered earlier: the cache answered it, as it should, and the
    # check failed the solution (found by running every exercise's checks on the solution over 300 seeds).
    results = {seed: NB.run("4.3", seed=seed) for seed in (2024, 2252)}
    assert all(r.passed for r in results.values()), {s: r.feedback for s, r in results.items() if not r.passed}


def test_the_solution_notebook_runs_top_to_bottom_with_its_numbers_on_screen() -> None:
    nb = NB.execute()
    assert not error_outputs(nb, except_tags=("raises-exception",))  # the outage cell breaks on purpose
    text = output_text(nb)
    assert "user-facing errors (HTTP 500)" in text  # the before/after table is on screen
    assert "spared" in text


def test_the_learner_version_runs_every_story_cell_with_the_stubs_in_place() -> None:
    assert not error_outputs(NB.execute_learner(), except_tags=("check", "raises-exception"))


def test_the_grader_gives_the_solution_full_marks_and_the_learner_version_zero(graded: dict[int, Grades]) -> None:
    assert_full_marks_and_zero(4, graded[4])
