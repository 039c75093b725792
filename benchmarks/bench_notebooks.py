"""How long each course notebook takes to execute, printed as figures (no assertions).

Run ``python benchmarks/bench_notebooks.py [NAME ...]``. For every notebook in solutions/ (or the ones named), it
executes the solution with nbclient in a fresh kernel (kernel start included) and times it, and the generated learner
version in notebooks/ the same way (stubs in place: cells that break on purpose may raise). Aim: a few seconds each,
because nothing sleeps for real — every wait in the course runs on the simulated clock.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
RUNS = 2


def _execute(path: Path) -> tuple[float, int]:
    """Seconds to execute ``path`` top to bottom in a fresh kernel, and how many cells ended in an error."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(ROOT)}}
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]
    errors = sum(1 for out in outputs if out.output_type == "error")
    return seconds, errors


def main(names: list[str]) -> None:
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    if names:
        solutions = [p for p in solutions if any(n in p.name for n in names)]
    if not solutions:
        raise SystemExit("no notebooks matched: pass part of a name, e.g. 02 or runaway")
    print(f"{'notebook':<28} {'solution s':>11} {'errors':>7} {'learner s':>10} {'errors':>7}   (median of {RUNS})")
    for solution in solutions:
        learner = ROOT / "notebooks" / solution.name
        sol = [_execute(solution) for _ in range(RUNS)]
        row = f"{solution.stem:<28} {statistics.median(s for s, _ in sol):>11.1f} {sol[-1][1]:>7d}"
        if learner.exists():
            lea = [_execute(learner) for _ in range(RUNS)]
            row += f" {statistics.median(s for s, _ in lea):>10.1f} {lea[-1][1]:>7d}"
        print(row, flush=True)
    print("solution errors should be 0; a learner's come from check and raises-exception cells while stubs remain")


if __name__ == "__main__":
    main(sys.argv[1:])
