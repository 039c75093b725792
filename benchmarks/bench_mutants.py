"""Check strength of every exercise, measured on mutants of its official solution, printed as figures.

Run ``python benchmarks/bench_mutants.py`` from the repository's top folder (``make bench`` does). It is the full
run of ``python -m grader mutants`` (every mutant of every exercise, public checks, seeds 1 and 2), printed as one
table: per exercise the mutants, killed, survived, reviewed equivalents, the share killed (aim: at least 90% in every
exercise) and the seconds it took; then the totals and the wall time on this machine. The test suite runs a fixed
sample of the same mutants (tests/grader/test_mutants.py).
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from grader._registry import CheckRegistry
from grader.mutate import EQUIVALENTS_DIR, Equivalents, score_exercise
from grader.mutate._command import all_exercises

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
AIM = 90.0


def main() -> None:
    registry = CheckRegistry(use_env=False)
    equivalents = Equivalents.load(SOLUTIONS / EQUIVALENTS_DIR)
    jobs = max(1, len(os.sched_getaffinity(0)))
    started = time.monotonic()
    print(f"{'exercise':>8} {'mutants':>8} {'killed':>7} {'survived':>9} {'equiv.':>7} {'killed %':>9} {'s':>6}")
    rows = []
    for exercise in all_exercises(registry, SOLUTIONS):
        score = score_exercise(exercise, solutions=SOLUTIONS, registry=registry, equivalents=equivalents, parallel=jobs)
        rows.append(score)
        mark = "" if score.percent >= AIM else "  below the aim"
        print(
            f"{exercise:>8} {len(score.outcomes):8d} {score.killed:7d} {score.survived:9d} {score.equivalent:7d} "
            f"{score.percent:8.1f}% {score.seconds:6.1f}{mark}",
            flush=True,
        )
    live = sum(s.killed + s.survived for s in rows)
    killed = sum(s.killed for s in rows)
    below = [s.exercise for s in rows if s.percent < AIM]
    out = io.StringIO()
    out.write(f"all: {sum(len(s.outcomes) for s in rows)} mutants, {killed}/{live} non-equivalent killed ")
    out.write(f"({100 * killed / max(live, 1):.1f}%), {sum(s.equivalent for s in rows)} reviewed equivalent; ")
    out.write(f"lowest exercise {min(rows, key=lambda s: s.percent).percent:.1f}%; ")
    out.write(f"{time.monotonic() - started:.0f} s wall on {jobs} core(s)")
    print(out.getvalue())
    print("every exercise reaches the aim" if not below else f"below {AIM:.0f}%: {', '.join(below)}")


if __name__ == "__main__":
    main()
