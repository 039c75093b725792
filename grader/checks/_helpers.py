"""What the check modules share: how a learner's exception reads in a message, a call that must not raise, a call
that must raise, and the two ways checks compare numbers.

- ``must_not_raise(call, "serve should still answer", hint=...)`` returns what ``call`` returned; when it raises, the
  check fails with that sentence, the exception as *got* (``raised(exc)``) and the hint.
- ``must_raise(call, ValueError, "parse_strict should reject ...")`` returns the exception ``call`` raised; when it
  raised something else, or returned, the check fails and says which (what it raised, or what it returned).
- ``same_amount(a, b)``: two computed amounts equal but for float rounding (a relative 1e-9).
- ``number_near(value, target, tol)``: ``value`` is a finite real number (not a bool) within ``tol`` of ``target``.
- ``expected_worst_case(body, catalog)``: the checks' own worst-case price of a request body (notebook 02's rule).

Either call helper lets the exceptions in ``lets_through`` pass untouched (``NotImplementedError``, so that the stub of
an exercise reads as "not attempted"; a ``CheckFailed`` the learner's code ran into).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final, TypeVar, overload

from grader._api import _MISSING, CheckFailed
from weekfour.catalog import Catalog
from weekfour.tokens import count_message_tokens

__all__ = ["Raised", "expected_worst_case", "must_not_raise", "must_raise", "number_near", "raised", "same_amount"]

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)

RAISED_LIMIT: Final = 200  # characters of an exception's text a message quotes


class Raised(str):
    """An exception as a message shows it: ``got:      TypeError: the text``, without the quotes of a string."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def raised(exc: BaseException) -> Raised:
    """``TypeError: the text`` — the exception's class and the start of its text."""
    text = str(exc)
    if len(text) > RAISED_LIMIT:
        text = text[: RAISED_LIMIT - 3] + "..."
    return Raised(f"{type(exc).__name__}: {text}")


def must_not_raise(
    call: Callable[[], T],
    what: str,
    *,
    hint: str | None = None,
    expected: object = _MISSING,
    lets_through: tuple[type[BaseException], ...] = (),
) -> T:
    """``call()``; when it raises, the check fails with ``what``, the exception as *got*, ``expected`` and ``hint``."""
    try:
        return call()
    except lets_through:
        raise
    except Exception as exc:
        raise CheckFailed(what, expected=expected, got=raised(exc), hint=hint) from None


@overload
def must_raise(
    call: Callable[[], object],
    error: type[E],
    what: str,
    *,
    returned: str | None = None,
    hint: str | None = None,
    returned_hint: str | None = None,
    lets_through: tuple[type[BaseException], ...] = (),
) -> E: ...


@overload
def must_raise(
    call: Callable[[], object],
    error: str,
    what: str,
    *,
    returned: str | None = None,
    hint: str | None = None,
    returned_hint: str | None = None,
    lets_through: tuple[type[BaseException], ...] = (),
) -> BaseException: ...


def must_raise(
    call: Callable[[], object],
    error: type[BaseException] | str,
    what: str,
    *,
    returned: str | None = None,
    hint: str | None = None,
    returned_hint: str | None = None,
    lets_through: tuple[type[BaseException], ...] = (),
) -> BaseException:
    """The exception ``call()`` raised, which must be ``error`` (a class, or the name of a class the learner wrote).

    When it raises something else the check fails with ``what``; when it returns, with ``returned`` (default
    ``what``) and what it returned as *got* — "no error" when that is None. ``returned_hint`` (default ``hint``) is
    the hint for the second case.
    """
    name = error if isinstance(error, str) else error.__name__
    try:
        result = call()
    except lets_through:
        raise
    except Exception as exc:
        if (type(exc).__name__ == error) if isinstance(error, str) else isinstance(exc, error):
            return exc
        raise CheckFailed(what, expected=name, got=raised(exc), hint=hint) from None
    hint = hint if returned_hint is None else returned_hint
    raise CheckFailed(
        what if returned is None else returned, expected=name, got="no error" if result is None else result, hint=hint
    )


def same_amount(a: float, b: float) -> bool:
    """Equal but for float rounding: a relative 1e-9 (and 1e-12 absolute, for amounts near zero)."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def number_near(value: object, target: float, tol: float) -> bool:
    """``value`` is a finite int or float (a bool is not a number here) within ``tol`` of ``target``."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value - target) <= tol
    )


def expected_worst_case(body: dict[str, Any], catalog: Catalog) -> float:
    """The checks' own figure, priced by ``catalog``: every prompt token, plus the completion ceiling (the body's,
    else what the model could still write)."""
    spec = catalog.resolve(body["model"])
    tokens_in = count_message_tokens(body["messages"], tools=body.get("tools"))
    stated = body.get("max_completion_tokens") or body.get("max_tokens")
    room = max(spec.context_window - tokens_in, 0)
    return catalog.price(body["model"], tokens_in, min(spec.max_output_tokens, room) if stated is None else stated)
