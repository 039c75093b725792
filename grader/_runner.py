"""Run check functions against a learner's globals and turn every way they can end into a teaching result.

Whatever happens inside a check (its own CheckFailed, the learner's NotImplementedError stub, any exception the
learner's code raises) becomes a :class:`CheckResult` with a short message; a grader traceback never reaches a learner.
``KeyboardInterrupt`` and ``SystemExit`` are not caught: the grader's cell timeout relies on the interrupt.
"""

from __future__ import annotations

import os
import random
import traceback
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Literal, TypeGuard, get_args

from grader._api import CheckFailed, CheckSpec, Namespace, NotAttempted

__all__ = ["SEED_ENV", "CheckResult", "ExerciseResult", "new_seed", "run_check", "run_exercise"]

SEED_ENV: Final = "WEEKFOUR_SEED"

Status = Literal["passed", "failed", "not_attempted", "check_error"]
_STATUSES: Final[frozenset[str]] = frozenset(get_args(Status))


def new_seed() -> int:
    """The run's seed: ``WEEKFOUR_SEED`` when set (to replay a failure), else a fresh random one."""
    raw = os.environ.get(SEED_ENV, "").strip()
    if raw.isdigit():
        return int(raw)
    return random.SystemRandom().randrange(1, 1_000_000)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """How one check ended. Another process hands it on as a row (:meth:`to_row`, read back by :meth:`from_row`)."""

    exercise: str
    name: str
    points: int
    max_points: int
    status: Status
    message: str
    hidden: bool
    seed: int

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_row(self, *, message_limit: int | None = None) -> dict[str, Any]:
        """One JSON-ready row (the message cut to ``message_limit`` characters when given)."""
        return {
            "exercise": self.exercise,
            "check": self.name,
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "hidden": self.hidden,
            "seed": self.seed,
            "message": self.message if message_limit is None else self.message[:message_limit],
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any], *, spec: CheckSpec) -> CheckResult:
        """The result of ``spec`` that ``row`` reports, read as another process's word, not as fact.

        The check's identity, worth and visibility come from ``spec`` (the grader's own registry); the row says only
        how it ended: its status (anything unknown reads as ``failed``), message and seed (0 when not a number).
        Points count only when that status is ``passed``.
        """
        raw = row.get("status", "failed")
        status: Status = raw if _is_status(raw) else "failed"
        return cls(
            exercise=spec.exercise,
            name=spec.name,
            points=spec.points if status == "passed" else 0,
            max_points=spec.points,
            status=status,
            message=str(row.get("message", "")),
            hidden=spec.hidden,
            seed=_as_int(row.get("seed", 0)),
        )


def _is_status(value: object) -> TypeGuard[Status]:
    return isinstance(value, str) and value in _STATUSES


def _as_int(value: object) -> int:
    if not isinstance(value, int | float | str | bytes):
        return 0
    try:
        return int(value)
    except (ValueError, OverflowError):
        return 0


@dataclass(frozen=True, slots=True)
class ExerciseResult:
    id: str
    title: str | None
    checks: tuple[CheckResult, ...]
    later: int = 0  # points held by checks that did not run here (hidden ones, run only at grading)

    @property
    def points(self) -> int:
        return sum(c.points for c in self.checks)

    @property
    def max_points(self) -> int:
        return sum(c.max_points for c in self.checks)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def status(self) -> Status:
        if self.passed:
            return "passed"
        if any(c.status == "not_attempted" for c in self.checks):
            return "not_attempted"
        if any(c.status == "check_error" for c in self.checks):
            return "check_error"
        return "failed"

    @property
    def feedback(self) -> str:
        return feedback_text([c for c in self.checks if not c.passed])


def feedback_text(failed: Sequence[CheckResult]) -> str:
    """One teaching message for the failed checks of an exercise (the first "not attempted" says it all)."""
    if not failed:
        return ""
    if any(c.status == "not_attempted" for c in failed):
        return next(c.message for c in failed if c.status == "not_attempted")
    plain = {c.message for c in failed if not c.hidden}
    parts = list(
        dict.fromkeys(
            c.message if c.message in plain or not c.hidden else f"{c.message} (hidden check)" for c in failed
        )
    )
    seed = failed[0].seed
    return "\n".join(parts) + f"\n(seed {seed}: set {SEED_ENV}={seed} to replay this run)"


def _learner_frame(tb: TracebackType | None, user_ns: Mapping[str, Any]) -> tuple[str, int] | None:
    """The innermost frame of the traceback that runs learner code (a function whose globals are the notebook's)."""
    found: tuple[str, int] | None = None
    while tb is not None:
        if tb.tb_frame.f_globals is user_ns:
            found = (tb.tb_frame.f_code.co_name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _not_attempted(spec: CheckSpec, where: str | None) -> str:
    title = f" ({spec.title})" if spec.title else ""
    who = f"`{where}` still raises" if where else "Your code still raises"
    return (
        f"Exercise {spec.exercise}{title} is not attempted yet: {who} NotImplementedError. Replace the "
        "`raise NotImplementedError(...)` line with your code, run the cell, then run the check again."
    )


def _describe_exception(exc: BaseException, spec: CheckSpec, user_ns: Mapping[str, Any]) -> tuple[Status, str]:
    where = _learner_frame(exc.__traceback__, user_ns)
    if isinstance(exc, NotImplementedError):
        return "not_attempted", _not_attempted(spec, where[0] if where else None)
    text = str(exc).strip().splitlines()
    detail = f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__
    if where is None:
        # Nothing of the learner's was running: the check itself broke.
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        at = f" at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno}" if last else ""
        return "check_error", (
            f"The check {spec.name} of exercise {spec.exercise} itself failed ({detail}{at}). This is not your "
            "fault: tell your instructor."
        )
    name, line = where
    return "failed", (
        f"Your function `{name}` raised {detail} (line {line} of its cell) when the check called it.\n"
        "Hint: run it yourself with a similar input and read the traceback."
    )


def run_check(spec: CheckSpec, user_ns: MutableMapping[str, Any], *, seed: int) -> CheckResult:
    """Run one check function with a rng derived from ``seed``; never raises (except interrupts)."""
    rng = random.Random(f"{seed}/{spec.key}")
    ns = Namespace(user_ns, rng=rng, exercise=spec.exercise, seed=seed)
    status: Status
    try:
        spec.func(ns)
    except NotAttempted as exc:
        status, message = "not_attempted", exc.render()
    except CheckFailed as exc:
        if isinstance(exc.__context__, NotImplementedError):
            where = _learner_frame(exc.__context__.__traceback__, user_ns)
            status, message = "not_attempted", _not_attempted(spec, where[0] if where else None)
        else:
            status, message = "failed", exc.render()
    except Exception as exc:
        status, message = _describe_exception(exc, spec, user_ns)
    else:
        status, message = "passed", ""
    return CheckResult(
        exercise=spec.exercise,
        name=spec.name,
        points=spec.points if status == "passed" else 0,
        max_points=spec.points,
        status=status,
        message=message,
        hidden=spec.hidden,
        seed=seed,
    )


def run_exercise(
    exercise_id: str,
    title: str | None,
    specs: Sequence[CheckSpec],
    user_ns: MutableMapping[str, Any],
    *,
    seed: int,
    later: int = 0,
) -> ExerciseResult:
    """Run ``specs`` on ``user_ns``; ``later`` is what the exercise's checks that run elsewhere are worth."""
    return ExerciseResult(exercise_id, title, tuple(run_check(s, user_ns, seed=seed) for s in specs), later)
