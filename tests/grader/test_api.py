"""The check API authors write against: declaring checks, teaching failures, and how every ending is reported."""

from __future__ import annotations

import random

import pytest

import grader
import grader.checks
from grader._api import CheckFailed, Namespace, exercise, spec_of
from grader._runner import run_check
from grader.testing import run_exercise_on_source

from .conftest import CHECKS, PRIVATE


def test_public_surfaces_are_curated() -> None:
    assert sorted(grader.__all__) == [
        "CheckError",
        "CheckFailed",
        "Namespace",
        "NotAttempted",
        "check",
        "exercise",
        "progress",
    ]
    assert sorted(grader.checks.__all__) == ["CheckFailed", "Namespace", "NotAttempted", "exercise"]
    # A notebook and a check module name the same objects: a failure a check raises is the learner's CheckFailed.
    for name in grader.checks.__all__:
        assert getattr(grader, name) is getattr(grader.checks, name)
    assert issubclass(grader.NotAttempted, grader.CheckFailed) and not issubclass(grader.CheckError, CheckFailed)


@pytest.mark.parametrize("bad", ["1", "a.b", "1.2.3", "", "01-2"])
def test_exercise_ids_must_look_like_notebook_dot_number(bad: str) -> None:
    with pytest.raises(ValueError, match="NOTEBOOK.EXERCISE"):
        exercise(bad)


@pytest.mark.parametrize("points", [-1, 1.5, True])
def test_points_must_be_a_whole_number(points: object) -> None:
    with pytest.raises(ValueError, match="whole number"):
        exercise("1.1", points=points)


def test_the_decorator_records_the_spec_and_keeps_the_function() -> None:
    @exercise("3.4", points=2, title="T", hidden=True)
    def my_check(ns: Namespace) -> None:
        return None

    spec = spec_of(my_check)
    assert spec is not None and (spec.exercise, spec.points, spec.title, spec.hidden) == ("3.4", 2, "T", True)
    assert spec.key == "3.4/my_check"
    assert my_check(Namespace({}, rng=random.Random(0), exercise="3.4")) is None


def test_check_failed_renders_expected_got_and_hint() -> None:
    text = CheckFailed("double(3) is wrong", expected=6, got=5, hint="twice").render()
    assert text == "double(3) is wrong\n  expected: 6\n  got:      5\nHint: twice"
    assert "..." in CheckFailed("long", got="x" * 1000).render()


def test_namespace_get_teaches_when_a_name_is_missing_or_not_callable() -> None:
    ns = Namespace({"value": 3}, rng=random.Random(0), exercise="1.2")
    with pytest.raises(CheckFailed, match="`parse_answer` is not defined yet") as info:
        ns.get("parse_answer")
    assert "exercise 1.2" in str(info.value)
    with pytest.raises(CheckFailed, match="should be a function"):
        ns.function("value")
    assert ns["value"] == 3 and "value" in ns


def _spec(func: object) -> object:
    spec = spec_of(func)
    assert spec is not None
    return spec


@exercise("5.1", points=3)
def _calls_f(ns: Namespace) -> None:
    f = ns.function("f")
    if f(2) != 4:
        raise CheckFailed("f(2) should be 4", expected=4, got=f(2))


def _learner(source: str) -> dict[str, object]:
    user_ns: dict[str, object] = {}
    exec(compile(source, "<cell>", "exec"), user_ns)
    return user_ns


def test_a_passing_check_earns_its_points() -> None:
    result = run_check(_spec(_calls_f), _learner("def f(x):\n    return x * 2"), seed=1)
    assert result.passed and result.points == 3 and result.message == ""


def test_a_wrong_answer_earns_nothing_and_says_why() -> None:
    result = run_check(_spec(_calls_f), _learner("def f(x):\n    return x + 1"), seed=1)
    assert result.status == "failed" and result.points == 0 and result.max_points == 3
    assert "expected: 4" in result.message and "got:      3" in result.message


def test_a_stub_is_not_attempted_yet() -> None:
    stub = 'def f(x):\n    raise NotImplementedError("Exercise 5.1: replace this line with your code")'
    result = run_check(_spec(_calls_f), _learner(stub), seed=1)
    assert result.status == "not_attempted"
    assert "not attempted yet" in result.message and "`f`" in result.message


def test_an_exception_in_the_learner_code_names_their_function_not_the_grader() -> None:
    result = run_check(_spec(_calls_f), _learner("def f(x):\n    return {}[x]"), seed=1)
    assert result.status == "failed"
    assert "Your function `f` raised KeyError: 2" in result.message
    assert "Traceback" not in result.message and "_runner" not in result.message


def test_a_broken_check_is_reported_as_the_checks_fault() -> None:
    @exercise("5.2")
    def broken(ns: Namespace) -> None:
        raise ZeroDivisionError("oops")

    result = run_check(_spec(broken), {}, seed=1)
    assert result.status == "check_error" and "not your fault" in result.message


def test_the_rng_is_reproducible_from_the_seed_and_differs_between_seeds() -> None:
    draws: list[int] = []

    @exercise("5.3")
    def draw(ns: Namespace) -> None:
        draws.append(ns.rng.randrange(10**9))

    for seed in (7, 7, 8):
        run_check(_spec(draw), {}, seed=seed)
    assert draws[0] == draws[1] != draws[2]


def test_a_hard_coded_answer_fails_on_randomised_scenarios() -> None:
    hard_coded = "def double(x):\n    return 84"
    outcomes = {run_exercise_on_source("91.1", hard_coded, checks=[CHECKS], seed=s).passed for s in range(5)}
    assert outcomes == {False}


def test_hidden_checks_join_from_a_private_folder_and_feedback_marks_them() -> None:
    partly = "import json\n\ndef parse_answer(text):\n    return json.loads(text)"
    public = run_exercise_on_source("91.2", partly, checks=[CHECKS], seed=3)
    assert public.passed and public.max_points == 3
    full = run_exercise_on_source("91.2", partly, checks=[CHECKS, PRIVATE], seed=3)
    assert not full.passed and (full.points, full.max_points) == (3, 5)
    assert "(hidden check)" in full.feedback and "WEEKFOUR_SEED=3" in full.feedback
