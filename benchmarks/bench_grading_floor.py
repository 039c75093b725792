"""Grading at the floor, printed as figures (no assertions): run ``python benchmarks/bench_grading_floor.py``.

* **grade vs plain**: grading the seven solution notebooks (``python -m grader grade solutions/``: the nbval run and
  the verdict process, graded copies sliced to what the checks need) against executing the same notebooks one by one
  with ``jupyter nbconvert --execute`` (aim: at most 0.35x); ``--full`` grading too, for comparison;
* **per-role cell time**: every cell of the solution notebooks executed with nbclient, summed by role (setup: the
  first code cell; solution; check: ``check(...)`` and ``progress()``; story: the rest), and the slowest cells (aim:
  no story or solution cell over 2 s);
* **a cohort of 30 submissions x 7 notebooks** on this machine's cores (``--jobs 2``): ten solved, ten untouched
  learner notebooks, ten with a wrong answer in every exercise (aim: at most 5 minutes). ``--no-cohort`` skips it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
WRONG = ROOT / "tests" / "notebooks" / "wrong"
BIN = Path(sys.executable).parent


def _timed(args: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=False, capture_output=True)
    return time.perf_counter() - start


def _solution_names() -> list[Path]:
    return sorted(SOLUTIONS.glob("[0-9][0-9]-*.ipynb"))


def grade_vs_plain() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plain = 0.0
        for path in _solution_names():
            plain += _timed(
                [str(BIN / "jupyter"), "nbconvert", "--execute", "--to", "notebook", "--output-dir", tmp, str(path)]
            )
    grade = _timed([sys.executable, "-m", "grader", "grade", "solutions/", "--quiet"])
    full = _timed([sys.executable, "-m", "grader", "grade", "solutions/", "--quiet", "--full"])
    print(f"plain execution (nbconvert, one by one) : {plain:6.1f} s")
    print(f"grading, sliced (the default)           : {grade:6.1f} s   {grade / plain:4.2f}x plain")
    print(f"grading, --full                         : {full:6.1f} s   {full / plain:4.2f}x plain")


def _role(cell: dict[str, object], first: bool) -> str:
    tags = cell.get("metadata", {}).get("tags", [])  # type: ignore[union-attr]
    if "solution" in tags:
        return "solution"
    if "check" in tags or str(cell.get("source", "")).lstrip().startswith("progress("):
        return "check"
    return "setup" if first else "story"


def cell_times() -> None:
    import nbformat
    from nbclient import NotebookClient

    totals: dict[str, float] = {"setup": 0.0, "solution": 0.0, "check": 0.0, "story": 0.0}
    slowest: list[tuple[float, str]] = []
    for path in _solution_names():
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=120, allow_errors=True, record_timing=True, resources={"metadata": {}})
        client.execute()
        first = True
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            timing = cell.metadata.get("execution", {})
            try:
                start = _stamp(timing["iopub.execute_input"])
                end = _stamp(timing["shell.execute_reply"])
            except KeyError:
                continue
            seconds = end - start
            role = _role(cell, first)
            first = False
            totals[role] += seconds
            head = next((ln for ln in cell.source.splitlines() if ln.strip()), "")[:50]
            slowest.append((seconds, f"{path.name[:2]} cell {index + 1:>3} [{role}] {head}"))
    for role, seconds in totals.items():
        print(f"cell time, {role:8}                    : {seconds:6.1f} s")
    print("slowest cells:")
    for seconds, what in sorted(slowest, reverse=True)[:8]:
        print(f"  {seconds:5.2f} s  {what}")


def _stamp(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _wrong_copy(folder: Path) -> None:
    from grader._cells import exercise_id, is_solution
    from grader._nbio import dumps_notebook, load_notebook

    fixtures: dict[str, str] = {}
    for path in sorted(WRONG.glob("nb*/*.py")):
        text = path.read_text(encoding="utf-8")
        match = re.match(r"# Exercise (\d+\.\d+)", text)
        if match:
            fixtures.setdefault(match.group(1), text)
    folder.mkdir(parents=True)
    for path in _solution_names():
        nb = load_notebook(path)
        for cell in nb["cells"]:
            fixture = fixtures.get(exercise_id(cell) or "")
            if is_solution(cell) and fixture:
                cell["source"] += "\n\n\n" + fixture
        (folder / path.name).write_text(dumps_notebook(nb), encoding="utf-8")


def cohort(size: int = 30) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        wrong = root / "wrong-template"
        _wrong_copy(wrong)
        folders = []
        for i in range(size):
            target = root / f"learner-{i:02d}"
            source = (SOLUTIONS, NOTEBOOKS, wrong)[i % 3]
            target.mkdir()
            for path in sorted(source.glob("[0-9][0-9]-*.ipynb")):
                shutil.copy(path, target / path.name)
            folders.append(str(target))
        seconds = _timed([sys.executable, "-m", "grader", "grade", *folders, "--jobs", "2", "--quiet"])
    print(f"cohort of {size} x 7 notebooks (--jobs 2)  : {seconds:6.1f} s  ({seconds / size:4.1f} s a submission)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cohort", action="store_true", help="skip the 30-submission cohort (minutes)")
    parser.add_argument("--cohort", type=int, default=30, metavar="N", help="submissions in the cohort (default 30)")
    parser.add_argument("--only-cohort", action="store_true", help="grade the cohort only")
    args = parser.parse_args()
    if not args.only_cohort:
        grade_vs_plain()
        cell_times()
    if not args.no_cohort:
        cohort(args.cohort)


if __name__ == "__main__":
    main()
