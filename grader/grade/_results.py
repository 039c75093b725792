"""The grader's results, and their JSON shape: one report schema, whatever the number of submissions.

``{"schema": 1, "submissions": [{"learner", "path", "score", "max_score", "notebooks": [{"path", "score", "max_score",
  "error", "ungradable", "exercises": [{"id", "title", "points", "max_points", "passed", "feedback"}],
  "flags": [{"kind", "exercise", "cell", "line", "detail"}]}]}]}``

Each object has ``to_json`` and ``from_json``: a report read back is the results it was written from (``grader
merge`` joins shards' reports that way). ``score`` and ``max_score`` are written for readers of the file; reading
sums the exercises again.

Integrity flags (:class:`IntegrityFlag`) are for the instructor, never points: the two runs of a notebook disagreeing
on an exercise (it then scores 0), the verdict process's guard refusing what learner code tried, the grader's or the
kit's objects changed (or forged lines on the verdict's channel), and learner cells that reach for the grader's
internals (found by reading them). Each names the learner's cell (counting every cell of their notebook from 1) and
line where it can.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "FLAG_KINDS",
    "REPORT_SCHEMA",
    "ExerciseScore",
    "IntegrityFlag",
    "NotebookScore",
    "ReportError",
    "SubmissionScore",
]

FLAG_KINDS: Final = ("disagreement", "refused", "tampered", "reaches-internals")
REPORT_SCHEMA: Final = 1


class ReportError(ValueError):
    """A JSON report that is not in the grader's schema."""


def _field(data: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, dict) or not isinstance(data.get(key), kind):
        raise ReportError(
            f"{where} needs a {key!r} field: is this a report written by `python -m grader grade --json`?"
        )
    return data[key]


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrityFlag:
    """Something an instructor should look at in a submission (see the module docstring)."""

    kind: str  # one of FLAG_KINDS
    detail: str  # what happened, in one line, already cleaned of control characters
    exercise: str | None = None
    cell: int | None = None  # the learner's cell, counting every cell of the notebook from 1
    line: int | None = None  # the line in that cell, counted from 1

    @property
    def where(self) -> str:
        parts = [f"exercise {self.exercise}" if self.exercise else "", f"cell {self.cell}" if self.cell else ""]
        if self.line:
            parts.append(f"line {self.line}")
        return ", ".join(p for p in parts if p)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "exercise": self.exercise,
            "cell": self.cell,
            "line": self.line,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IntegrityFlag:
        exercise = data.get("exercise")
        return cls(
            kind=str(data.get("kind", "")),
            detail=str(data.get("detail", "")),
            exercise=str(exercise) if exercise is not None else None,
            cell=_optional_int(data.get("cell")),
            line=_optional_int(data.get("line")),
        )


@dataclass(slots=True)
class ExerciseScore:
    id: str
    points: int
    max_points: int
    passed: bool
    feedback: str
    title: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "points": self.points,
            "max_points": self.max_points,
            "passed": self.passed,
            "feedback": self.feedback,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExerciseScore:
        where = "an exercise of the report"
        title = data.get("title") if isinstance(data, dict) else None
        return cls(
            id=str(_field(data, "id", str, where)),
            points=int(_field(data, "points", int, where)),
            max_points=int(_field(data, "max_points", int, where)),
            passed=bool(_field(data, "passed", bool, where)),
            feedback=str(data.get("feedback") or ""),
            title=title if isinstance(title, str) else None,
        )


@dataclass(slots=True)
class NotebookScore:
    path: str
    exercises: list[ExerciseScore] = field(default_factory=list)
    error: str | None = None
    ungradable: bool = False
    flags: list[IntegrityFlag] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def score(self) -> int:
        return sum(e.points for e in self.exercises)

    @property
    def max_score(self) -> int:
        return sum(e.max_points for e in self.exercises)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "score": self.score,
            "max_score": self.max_score,
            "error": self.error,
            "ungradable": self.ungradable,
            "exercises": [e.to_json() for e in self.exercises],
            "flags": [f.to_json() for f in self.flags],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NotebookScore:
        where = "a notebook of the report"
        error = data.get("error") if isinstance(data, dict) else None
        return cls(
            path=str(_field(data, "path", str, where)),
            exercises=[ExerciseScore.from_json(e) for e in _field(data, "exercises", list, where)],
            error=error if isinstance(error, str) else None,
            ungradable=bool(data.get("ungradable", False)),
            flags=[IntegrityFlag.from_json(f) for f in data.get("flags") or [] if isinstance(f, dict)],
        )


@dataclass(slots=True)
class SubmissionScore:
    learner: str
    path: str
    notebooks: list[NotebookScore] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(n.score for n in self.notebooks)

    @property
    def max_score(self) -> int:
        return sum(n.max_score for n in self.notebooks)

    @property
    def percent(self) -> float:
        return 0.0 if self.max_score == 0 else 100.0 * self.score / self.max_score

    @property
    def ungradable(self) -> bool:
        return not self.notebooks or any(n.ungradable for n in self.notebooks)

    @property
    def flags(self) -> list[IntegrityFlag]:
        return [f for n in self.notebooks for f in n.flags]

    def exercises(self) -> list[ExerciseScore]:
        return [e for n in self.notebooks for e in n.exercises]

    def to_json(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "path": self.path,
            "score": self.score,
            "max_score": self.max_score,
            "notebooks": [n.to_json() for n in self.notebooks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubmissionScore:
        where = "a submission of the report"
        return cls(
            learner=str(_field(data, "learner", str, where)),
            path=str(_field(data, "path", str, where)),
            notebooks=[NotebookScore.from_json(n) for n in _field(data, "notebooks", list, where)],
        )
