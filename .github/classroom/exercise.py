"""Did one exercise pass? Reads the grader's JSON report; GitHub Classroom's command grader calls it per exercise.

    python .github/classroom/exercise.py grade.json 1.2    # exit 0 when exercise 1.2 passed, 1 when not

It prints the exercise's points and feedback, so the Classroom log says why points were lost.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["find_exercise", "main"]


def _exercises(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    submissions = report.get("submissions", [report])
    for submission in submissions:
        for notebook in submission.get("notebooks", []):
            yield from notebook.get("exercises", [])


def find_exercise(report: dict[str, Any], exercise_id: str) -> dict[str, Any] | None:
    return next((e for e in _exercises(report) if e.get("id") == exercise_id), None)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python .github/classroom/exercise.py REPORT.json EXERCISE_ID", file=sys.stderr)
        return 2
    path, exercise_id = Path(args[0]), args[1]
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"{path} is not a grader report ({exc}): run `python -m grader grade --json {path}` first.")
        return 1
    exercise = find_exercise(report, exercise_id)
    if exercise is None:
        print(f"Exercise {exercise_id} is not in {path}: is its notebook in notebooks/?")
        return 1
    print(f"Exercise {exercise_id}: {exercise.get('points')}/{exercise.get('max_points')} points")
    if exercise.get("feedback"):
        print(exercise["feedback"])
    return 0 if exercise.get("passed") else 1


if __name__ == "__main__":
    sys.exit(main())
