"""The points table: every exercise's full points (public and hidden checks together), for a course without hidden ones.

The learner template ships the public checks only, so its checks alone cannot say what an exercise is worth at the
course's grading; ``grader/checks/points.json`` does (``check()`` says "N more from checks that run at grading"). The
release writes it from the same checks that award the points, and ``release --check`` fails when it is out of step.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from grader._registry import POINTS_TABLE, CheckRegistry

__all__ = ["course_points_table", "points_table", "render_points_table"]

_ABOUT = (
    "Each exercise's full points: its public and hidden checks together, as its heading states them. Written by "
    "`python -m grader release` from the checks; do not edit by hand."
)


def _key(exercise_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in exercise_id.split("."))


def points_table(registry: CheckRegistry, notebooks: Iterable[int]) -> dict[str, int]:
    """``{"1.2": 5, ...}``: what every exercise of ``notebooks`` is worth with every check ``registry`` loads."""
    found = {ex.id: ex.max_points for n in notebooks for ex in registry.exercises(n).values()}
    return dict(sorted(found.items(), key=lambda item: _key(item[0])))


def render_points_table(table: dict[str, int]) -> str:
    data = {"about": _ABOUT, "total": sum(table.values()), "exercises": table}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def course_points_table(source: Path) -> Path | None:
    """The table a release of ``source`` keeps in step: the package's own when ``source`` is the course's
    ``solutions/`` (beside the ``grader`` package), none for any other folder (a fixture, a draft)."""
    course = POINTS_TABLE.parents[2] / "solutions"
    try:
        return POINTS_TABLE if source.resolve() == course.resolve() else None
    except OSError:
        return None
