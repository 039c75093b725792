"""Shard a cohort over a CI matrix and merge the shards' reports into one gradebook.

    python .github/scripts/cohort.py plan SUBMISSIONS_DIR MAX_SHARDS        # prints a JSON list of shard numbers
    python .github/scripts/cohort.py shard SUBMISSIONS_DIR SHARD SHARDS     # prints this shard's folders, one a line
    python .github/scripts/cohort.py merge SHARDS_DIR OUT_DIR               # gradebook.csv, gradebook.json, feedback/

A submission is a folder in SUBMISSIONS_DIR (hidden folders are skipped). Shard ``i`` of ``n`` takes every ``n``-th
folder in name order, starting at the ``i``-th, so shards stay the same size. ``merge`` reads each shard folder's
``gradebook.csv``, ``grades.json`` and ``feedback/`` as written by ``python -m grader grade``.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "merge", "plan", "shard", "submissions"]


def submissions(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def plan(root: Path, max_shards: int) -> list[int]:
    count = len(submissions(root))
    return list(range(max(1, min(max_shards, count))))


def shard(root: Path, index: int, total: int) -> list[Path]:
    if not 0 <= index < total:
        raise ValueError(f"shard {index} does not exist in {total} shards: use 0 to {total - 1}")
    return submissions(root)[index::total]


def _exercise_key(exercise_id: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in exercise_id.split("."))


def _json_rows(path: Path, learner: str) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if "submissions" in data:
        return list(data["submissions"])
    return [{"learner": learner, **data}]  # a shard that held one submission writes that submission's shape


def merge(shards_dir: Path, out: Path) -> tuple[int, int]:
    """Merge every shard below ``shards_dir`` into ``out``; returns (learners, shards)."""
    out.mkdir(parents=True, exist_ok=True)
    header: list[str] = []
    rows: list[dict[str, str]] = []
    graded: list[dict[str, Any]] = []
    folders = sorted(p for p in shards_dir.iterdir() if p.is_dir())
    for folder in folders:
        table = folder / "gradebook.csv"
        if table.exists():
            with table.open(newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                for name in reader.fieldnames or []:
                    if name not in header:
                        header.append(name)
                rows.extend(reader)
        report = folder / "grades.json"
        if report.exists():
            learner = rows[-1].get("learner", folder.name) if rows else folder.name
            graded.extend(_json_rows(report, learner))
        feedback = folder / "feedback"
        if feedback.is_dir():
            shutil.copytree(feedback, out / "feedback", dirs_exist_ok=True)
    fixed = ("learner", "score", "max_score")
    exercise_ids = sorted((h for h in header if h not in fixed), key=_exercise_key)
    rows.sort(key=lambda r: r.get("learner", ""))
    with (out / "gradebook.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["learner", *exercise_ids, "score", "max_score"], restval="0")
        writer.writeheader()
        writer.writerows(rows)
    graded.sort(key=lambda s: str(s.get("learner", "")))
    (out / "gradebook.json").write_text(json.dumps({"submissions": graded}, indent=2) + "\n", encoding="utf-8")
    return len(rows), len(folders)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if len(args) == 3 and args[0] == "plan":
            print(json.dumps(plan(Path(args[1]), int(args[2]))))
        elif len(args) == 4 and args[0] == "shard":
            for path in shard(Path(args[1]), int(args[2]), int(args[3])):
                print(path)
        elif len(args) == 3 and args[0] == "merge":
            learners, shards = merge(Path(args[1]), Path(args[2]))
            print(f"merged {learners} learners from {shards} shards into {args[2]}")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (OSError, ValueError) as exc:
        print(f"cohort.py {args[0]}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
