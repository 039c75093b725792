"""``--csv``: the gradebook, one row per learner, one column per exercise, then the totals and the integrity flags
(``flags``: empty, or each flag as ``kind (notebook, cell N, line M): detail``, separated by `` | ``)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from grader.grade._results import SubmissionScore
from grader.grade._scrub import clean

__all__ = ["write_csv"]


def _exercise_key(ex_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in ex_id.split("."))


def _text(value: str) -> str:
    """A learner-controlled cell: clean, and never read as a formula by a spreadsheet."""
    out = clean(value).replace("\n", " ")
    return "'" + out if out[:1] in ("=", "+", "-", "@", "\t") else out


def write_csv(results: Sequence[SubmissionScore], path: Path) -> None:
    ids = sorted({e.id for r in results for e in r.exercises()}, key=_exercise_key)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["learner", *ids, "score", "max_score", "flags"])
        for r in sorted(results, key=lambda r: r.learner):
            points = {e.id: e.points for e in r.exercises()}
            flags = _text(" | ".join(_flags(r)))
            writer.writerow([_text(r.learner), *(points.get(i, 0) for i in ids), r.score, r.max_score, flags])


def _flags(result: SubmissionScore) -> list[str]:
    out = []
    for nb in result.notebooks:
        for flag in nb.flags:
            where = ", ".join(p for p in (nb.name, flag.where) if p)
            out.append(f"{flag.kind} ({where}): {flag.detail}")
    return out
