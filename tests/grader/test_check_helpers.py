"""The pieces check modules share: the two call shapes, how an exception reads, the two number comparisons."""

from __future__ import annotations

import pytest

from grader._api import CheckFailed
from grader.checks._helpers import RAISED_LIMIT, must_not_raise, must_raise, number_near, raised, same_amount


def _boom(text: str = "boom") -> None:
    raise RuntimeError(text)


def test_raised_names_the_class_and_cuts_a_long_text() -> None:
    assert raised(KeyError("x")) == "KeyError: 'x'"
    long = raised(RuntimeError("y" * 1000))
    assert long.startswith("RuntimeError: yyy") and long.endswith("...") and len(long) == len("RuntimeError: ") + 200
    assert RAISED_LIMIT == 200


def test_must_not_raise_returns_the_result_or_fails_with_the_exception_as_got() -> None:
    assert must_not_raise(lambda: 42, "f should answer") == 42
    with pytest.raises(CheckFailed) as info:
        must_not_raise(_boom, "f should answer", expected="an answer", hint="keep going")
    assert info.value.render() == (
        "f should answer\n  expected: 'an answer'\n  got:      RuntimeError: boom\nHint: keep going"
    )
    assert isinstance(info.value.__context__, RuntimeError)  # a stub's NotImplementedError still reads as such


def test_must_not_raise_lets_the_named_exceptions_through() -> None:
    def stub() -> None:
        raise NotImplementedError("Exercise 3.2")

    with pytest.raises(NotImplementedError):
        must_not_raise(stub, "run_one should never raise", lets_through=(NotImplementedError,))
    with pytest.raises(CheckFailed, match="run_one should never raise"):
        must_not_raise(stub, "run_one should never raise")


def test_must_raise_returns_the_exception_or_says_what_happened_instead() -> None:
    exc = must_raise(lambda: int("x"), ValueError, "int should refuse")
    assert isinstance(exc, ValueError)
    with pytest.raises(CheckFailed) as other:
        must_raise(_boom, ValueError, "int should refuse", hint="a ValueError")
    assert other.value.expected == "ValueError" and other.value.got == "RuntimeError: boom"
    assert other.value.hint == "a ValueError"
    with pytest.raises(CheckFailed) as returned:
        must_raise(lambda: 7, ValueError, "int should refuse", returned="it accepted", returned_hint="check first")
    assert (returned.value.message, returned.value.got, returned.value.hint) == ("it accepted", 7, "check first")
    with pytest.raises(CheckFailed) as silent:
        must_raise(lambda: None, ValueError, "int should refuse", hint="h")
    assert (silent.value.message, silent.value.got, silent.value.hint) == ("int should refuse", "no error", "h")


def test_must_raise_by_name_matches_a_class_the_learner_wrote() -> None:
    class CircuitOpen(Exception):
        pass

    def call() -> None:
        raise CircuitOpen("open")

    assert isinstance(must_raise(call, "CircuitOpen", "should raise CircuitOpen"), CircuitOpen)
    with pytest.raises(CheckFailed, match="should raise CircuitOpen"):
        must_raise(_boom, "CircuitOpen", "should raise CircuitOpen")


def test_same_amount_forgives_float_rounding_only() -> None:
    assert same_amount(0.1 + 0.2, 0.3) and same_amount(0.0, 1e-13)
    assert not same_amount(1.0, 1.0 + 1e-6) and not same_amount(0.0, 1e-9)


@pytest.mark.parametrize(
    ("value", "near"),
    [(1.0, True), (1, True), (1.0005, True), (1.002, False), (True, False), ("1.0", False), (float("nan"), False)],
)
def test_number_near_takes_finite_real_numbers_within_the_tolerance(value: object, near: bool) -> None:
    assert number_near(value, 1.0, 1e-3) is near
