"""The check API that exercise authors write against.

A check module (``grader/checks/nbNN.py``, or ``nbNN.py`` in a private checks folder) holds one function per check::

    from grader.checks import CheckFailed, Namespace, exercise

    @exercise("1.2", points=3, title="Safe parsing")
    def safe_parsing(ns: Namespace) -> None:
        parse = ns.get("parse_answer")              # teaching failure when the learner has not defined it
        n = ns.rng.randint(1, 99)                    # randomised per run: a hard-coded answer fails
        got = parse(f'{{"n": {n}}}')
        if got != {"n": n}:
            raise CheckFailed("parse_answer should return the parsed object", expected={"n": n}, got=got,
                              hint="json.loads does the parsing; what does it raise on bad input?")

An exercise's maximum is the sum of the points of its check functions; a learner earns the points of each check
function that passes. Hidden checks (``hidden=True``) run only in the grader.

Failures a check can end in (the runner in ``grader._runner`` turns each into a result, never a grader traceback)::

    Exception
     ├── CheckFailed          the learner's code did the wrong thing: expected / got / hint
     │    └── NotAttempted    the learner's stub still raises NotImplementedError
     └── anything else        raised by the learner's code: reported as "your function f raised E: ..."
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

__all__ = ["CheckFailed", "CheckSpec", "Namespace", "NotAttempted", "exercise", "exercise_notebook", "spec_of"]

_EXERCISE_ID: Final = re.compile(r"^(\d{1,3})\.(\d{1,3})$")
_SPEC_ATTR: Final = "__weekfour_check__"
_MISSING: Final = object()
_REPR_LIMIT: Final = 300

F = TypeVar("F", bound=Callable[..., Any])


def exercise_notebook(exercise_id: str) -> int:
    """The notebook number of an exercise id: ``"1.2"`` → 1, ``"0.1"`` → 0."""
    match = _EXERCISE_ID.match(exercise_id) if isinstance(exercise_id, str) else None
    if match is None:
        raise ValueError(
            f'{exercise_id!r} is not an exercise id: write it as NOTEBOOK.EXERCISE, e.g. "1.2" for the second '
            "exercise of notebook 01"
        )
    return int(match.group(1))


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One check function and what it is worth."""

    exercise: str
    points: int
    title: str | None
    hidden: bool
    func: Callable[[Namespace], None]
    rules: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return str(getattr(self.func, "__name__", "check"))

    @property
    def key(self) -> str:
        """Unique within a notebook: ``"1.2/safe_parsing"``."""
        return f"{self.exercise}/{self.name}"


def exercise(
    id: str, *, points: int = 1, title: str | None = None, hidden: bool = False, rules: Sequence[str] = ()
) -> Callable[[F], F]:
    """Declare a function ``f(ns: Namespace) -> None`` as a check of exercise ``id`` worth ``points``.

    The function returns normally when the learner's code is right and raises :class:`CheckFailed` when it is not.
    ``hidden=True`` keeps it out of the in-notebook ``check()``: only the grader runs it. ``rules`` names the rules
    of the exercise's text this check holds the learner to: keys of the check module's ``RULES`` table, written
    ``"N.M/what-it-says"``.
    """
    exercise_notebook(id)  # validates the id
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise ValueError(f"points for exercise {id} must be a whole number >= 0, not {points!r}")
    if isinstance(rules, str):
        rules = (rules,)
    for rule in rules:
        if not isinstance(rule, str) or not rule.startswith(f"{id}/") or len(rule) <= len(id) + 1:
            raise ValueError(f'rule {rule!r} of a check of exercise {id} must be written "{id}/what-it-says"')

    def decorate(func: F) -> F:
        spec = CheckSpec(exercise=id, points=points, title=title, hidden=hidden, func=func, rules=tuple(rules))
        setattr(func, _SPEC_ATTR, spec)
        return func

    return decorate


def spec_of(obj: object) -> CheckSpec | None:
    """The :class:`CheckSpec` a function was declared with by :func:`exercise`, or None."""
    spec = getattr(obj, _SPEC_ATTR, None) if callable(obj) else None
    return spec if isinstance(spec, CheckSpec) else None


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a learner's __repr__ may itself be broken
        text = f"<unprintable {type(value).__name__}: {type(exc).__name__}>"
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 3] + "..."


class CheckFailed(Exception):
    """The learner's code did the wrong thing. The message teaches: what was expected, what happened, a hint.

    ``CheckFailed("parse_answer should reject empty input", expected="ValueError", got=None, hint="...")``.
    Never put the solution in a message: say what the behaviour should be, not the code that produces it.
    """

    def __init__(
        self,
        message: str = "",
        *,
        expected: object = _MISSING,
        got: object = _MISSING,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.expected = expected
        self.got = got
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        lines = [self.message] if self.message else []
        if self.expected is not _MISSING:
            lines.append(f"  expected: {_short_repr(self.expected)}")
        if self.got is not _MISSING:
            lines.append(f"  got:      {_short_repr(self.got)}")
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines) or "The check failed."


class NotAttempted(CheckFailed):
    """The learner has not written this exercise yet (their stub raised NotImplementedError)."""


class Namespace:
    """The learner's notebook globals as a check sees them, with a fresh ``rng`` per run.

    ``ns.get("name")`` returns what the learner defined, or fails with a message that tells them to define it;
    ``ns.rng`` is a :class:`random.Random` seeded for this run (the seed is reported so a failure can be replayed);
    ``ns.globals`` is the raw mapping: read it, or swap a name for one call and put it back.
    """

    def __init__(self, user_ns: MutableMapping[str, Any], *, rng: random.Random, exercise: str, seed: int = 0) -> None:
        self.globals = user_ns
        self.rng = rng
        self.exercise = exercise
        self.seed = seed

    def __contains__(self, name: object) -> bool:
        return name in self.globals

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def get(self, name: str, *, callable_: bool = False) -> Any:
        """What the learner bound to ``name``; fails teaching-style when it is missing (or not callable)."""
        if name not in self.globals:
            raise CheckFailed(
                f"`{name}` is not defined yet.",
                hint=f"Write it in the solution cell of exercise {self.exercise}, run that cell, then run this "
                "check again.",
            )
        value = self.globals[name]
        if callable_ and not callable(value):
            raise CheckFailed(
                f"`{name}` should be a function (or class), but it is a {type(value).__name__}.",
                hint=f"Check that the cell defining `{name}` uses `def {name}(...)` and that nothing later "
                "overwrote it.",
            )
        return value

    def function(self, name: str) -> Callable[..., Any]:
        """``ns.get(name, callable_=True)``: the learner's function or class."""
        function: Callable[..., Any] = self.get(name, callable_=True)
        return function
