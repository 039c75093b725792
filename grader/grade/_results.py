"""The grader's results, and their JSON shape (fixed: later tooling relies on it).

``{"score", "max_score", "notebooks": [{"path", "score", "max_score", "error",
  "exercises": [{"id", "points", "max_points", "passed", "feedback"}],
  "flags": [{"kind", "exercise", "cell", "line", "detail"}]}]}``

Integrity flags (:class:`IntegrityFlag`) are for the instructor, never points: the two runs of a notebook disagreeing
on an exercise (it then scores 0), the verdict process's guard refusing what learner code tried, and learner cells
that reach for the grader's internals (found by reading them). Each names the learner's cell (code cells counted from
1, as JupyterLab shows them) and line where it can.

A notebook the grader could not grade (its checks did not load, its name says no notebook, the run crashed) is
``ungradable``: its error starts with "could not grade", and the command exits 2 — never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["FLAG_KINDS", "ExerciseScore", "IntegrityFlag", "NotebookScore", "SubmissionScore"]

FLAG_KINDS: Final = ("disagreement", "refused", "reaches-internals")


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrityFlag:
    """Something an instructor should look at in a submission (see the module docstring)."""

    kind: str  # one of FLAG_KINDS
    detail: str  # what happened, in one line, already cleaned of control characters
    exercise: str | None = None
    cell: int | None = None  # the learner's code cell, counted from 1
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
        return cls(
            kind=str(data.get("kind", "")),
            detail=str(data.get("detail", "")),
            exercise=data.get("exercise"),
            cell=data.get("cell"),
            line=data.get("line"),
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
            "points": self.points,
            "max_points": self.max_points,
            "passed": self.passed,
            "feedback": self.feedback,
        }


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
            "exercises": [e.to_json() for e in self.exercises],
            "flags": [f.to_json() for f in self.flags],
        }


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
        return {"score": self.score, "max_score": self.max_score, "notebooks": [n.to_json() for n in self.notebooks]}
