"""Shard a cohort over a CI matrix (the shards' reports are joined by ``python -m grader merge``).

    python .github/scripts/cohort.py plan SUBMISSIONS_DIR MAX_SHARDS        # prints a JSON list of shard numbers
    python .github/scripts/cohort.py shard SUBMISSIONS_DIR SHARD SHARDS     # prints this shard's folders, one a line

A submission is a folder in SUBMISSIONS_DIR (hidden folders are skipped). Shard ``i`` of ``n`` takes every ``n``-th
folder in name order, starting at the ``i``-th, so shards stay the same size. Nothing here reads a report: the job
that grades needs no more than this file and Python.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "plan", "shard", "submissions"]


def submissions(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def plan(root: Path, max_shards: int) -> list[int]:
    count = len(submissions(root))
    return list(range(max(1, min(max_shards, count))))


def shard(root: Path, index: int, total: int) -> list[Path]:
    if not 0 <= index < total:
        raise ValueError(f"shard {index} does not exist in {total} shards: use 0 to {total - 1}")
    return submissions(root)[index::total]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if len(args) == 3 and args[0] == "plan":
            print(json.dumps(plan(Path(args[1]), int(args[2]))))
        elif len(args) == 4 and args[0] == "shard":
            for path in shard(Path(args[1]), int(args[2]), int(args[3])):
                print(path)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (OSError, ValueError) as exc:
        print(f"cohort.py {args[0]}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
