"""The grader's results, and their JSON shape (fixed: later tooling relies on it).

``{"score", "max_score", "notebooks": [{"path", "score", "max_score", "error",
  "exercises": [{"id", "points", "max_points", "passed", "feedback"}]}]}``

A notebook the grader could not grade (its checks did not load, its name says no notebook, the run crashed) is
``ungradable``: its error starts with "could not grade", and the command exits 2 — never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ExerciseScore", "NotebookScore", "SubmissionScore"]


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

    def exercises(self) -> list[ExerciseScore]:
        return [e for n in self.notebooks for e in n.exercises]

    def to_json(self) -> dict[str, Any]:
        return {"score": self.score, "max_score": self.max_score, "notebooks": [n.to_json() for n in self.notebooks]}
