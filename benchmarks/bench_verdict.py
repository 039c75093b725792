"""What the verdict process costs, printed as figures (no assertions): run ``python benchmarks/bench_verdict.py``.

Grades the course's solutions (seven notebooks, one submission) with the verdict process and without it
(``Limits(verdict=False)``: the kernel run alone, as before points were decided apart), interleaved, and prints for
each the wall time and the CPU time of every process the grading started. The verdict process runs beside the nbval
run, so on two free cores it costs CPU more than wall time; ``--runs N`` (default 2).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from grader._registry import CheckRegistry
from grader.grade import Limits, find_submission, grade_submission

ROOT = Path(__file__).resolve().parents[1]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _grade(verdict: bool) -> tuple[float, float, int]:
    registry = CheckRegistry(use_env=False)
    expected = sorted(p.name for p in (ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))
    submission = find_submission(ROOT / "solutions", expected)
    cpu, start = _children_cpu(), time.perf_counter()
    result = grade_submission(submission, registry=registry, limits=Limits(verdict=verdict))
    return time.perf_counter() - start, _children_cpu() - cpu, result.score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    runs = parser.parse_args().runs
    with_verdict, without = [], []
    for _ in range(runs):  # interleaved: the machine's load drifts more than one run lasts
        with_verdict.append(_grade(True))
        without.append(_grade(False))
    for label, rows in (("with the verdict process", with_verdict), ("kernel run only", without)):
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"{label:26}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, score {rows[0][2]}")
    extra_wall = statistics.median(r[0] for r in with_verdict) / statistics.median(r[0] for r in without) - 1
    extra_cpu = statistics.median(r[1] for r in with_verdict) / statistics.median(r[1] for r in without) - 1
    print(f"the verdict process costs   : {extra_wall:+.0%} wall time, {extra_cpu:+.0%} CPU time ({runs} runs each)")


if __name__ == "__main__":
    main()
