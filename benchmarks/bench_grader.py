"""Speed and memory of the grader, printed as figures (no assertions): run ``python benchmarks/bench_grader.py``.

On the fixture course's solved submission (tests/grader/fixtures/submissions/solved, two notebooks):

* grading time (``python -m grader grade``) against executing the same notebooks with ``jupyter nbconvert --execute``
  (aim: at most 1.25x);
* how long a cell that kills the kernel takes to fail (aim: at most 2 s);
* ``check()`` latency in a running kernel, first call (imports included) and warm (aim: at most 0.5 s);
* peak memory of grading one submission: the grader, pytest and the kernel together (aim: at most 400 MB);
* what containment costs (Landlock, memory ceiling, ipc transport, the subreaper's sweeps): grading contained against
  ``--uncontained``, and the launcher's own start per kernel (aim: under 5% of grading time).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "grader" / "fixtures"
SOLVED = FIXTURES / "submissions" / "solved"
KILLED = FIXTURES / "submissions" / "kernel-killed"
CHECKS = [FIXTURES / "course" / "checks", FIXTURES / "course" / "private"]
SOURCE = FIXTURES / "course" / "solutions"
RUNS = 3
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    return {**os.environ, "WEEKFOUR_CHECKS": os.pathsep.join(str(c) for c in CHECKS)}


def _grade_args(path: Path, *extra: str) -> list[str]:
    checks = [a for c in CHECKS for a in ("--checks", str(c))]
    return [sys.executable, "-m", "grader", "grade", str(path), "--source", str(SOURCE), *checks, "--quiet", *extra]


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def _timed(args: list[str], *, sample_memory: bool = False) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    peak = 0
    if sample_memory:
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        proc.wait()
        done.set()
        sampler.join()
    else:
        proc.wait()
    return time.perf_counter() - start, peak


def grading_vs_nbconvert() -> None:
    notebooks = sorted(SOLVED.glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as tmp:
        nbconvert = [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--output-dir", tmp]
        plain = [_timed([*nbconvert, *map(str, notebooks)])[0] for _ in range(RUNS)]
    graded = [_timed(_grade_args(SOLVED))[0] for _ in range(RUNS)]
    p, g = statistics.median(plain), statistics.median(graded)
    print(f"nbconvert --execute, {len(notebooks)} notebooks : {p:5.2f} s (median of {RUNS})")
    print(f"grader grade, same notebooks        : {g:5.2f} s (median of {RUNS})  ratio {g / p:4.2f}x  (aim <= 1.25x)")


def dead_kernel_detection() -> None:
    from grader._nbio import dumps_notebook, load_notebook
    from grader._registry import CheckRegistry
    from grader.grade import make_graded_copy
    from grader.grade._execute import run_pytest

    registry = CheckRegistry(CHECKS, use_env=False)
    name = "91-fixture.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        graded = make_graded_copy(load_notebook(KILLED / name), registry.exercises(91))
        (scratch / name).write_text(dumps_notebook(graded))
        start = time.perf_counter()
        outcome = run_pytest(
            [scratch / name], Path(tmp), scratch=scratch, checks_env=registry.env_value(), timeout=30, cells=20
        )
        total = time.perf_counter() - start
    deaths = [float(i["duration"]) for i in outcome.items if i.get("incident") == "kernel_died"]
    each = ", ".join(f"{d:.2f} s" for d in deaths)
    print(f"kernel deaths detected              : {len(deaths)}, failed after {each} (timeout 30 s; aim <= 2 s)")
    print(f"grading that notebook               : {total:5.2f} s (two restarts with replay included)")


def check_latency() -> None:
    import nbformat
    from nbclient import NotebookClient

    code = (
        "import time\n_t = time.perf_counter()\nfrom grader import check\n"
        "def double(x):\n    return 2 * x\ncheck('91.1')\nprint('LATENCY', time.perf_counter() - _t)"
    )
    warm = "_t = time.perf_counter()\ncheck('91.1')\nprint('LATENCY', time.perf_counter() - _t)"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)] + [nbformat.v4.new_code_cell(warm) for _ in range(5)]
    os.environ["WEEKFOUR_CHECKS"] = _env()["WEEKFOUR_CHECKS"]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    figures = []
    for cell in nb.cells:
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        figures.append(float(text.split("LATENCY")[1].split()[0]))
    print(f"check() latency, first call         : {figures[0] * 1000:6.1f} ms (imports included; aim <= 500 ms)")
    print(f"check() latency, warm (median of 5) : {statistics.median(figures[1:]) * 1000:6.1f} ms")


def peak_memory() -> None:
    _, peak = _timed(_grade_args(SOLVED, "--jobs=1"), sample_memory=True)
    print(f"peak memory grading one submission  : {peak / 2**20:6.0f} MB (grader + pytest + kernel; aim <= 400 MB)")


def containment_cost() -> None:
    from grader.grade import containment
    from grader.grade._contain import kernel_command, readable_roots

    print(f"containment here                    : {containment().describe()}")
    contained, loose = [], []
    for _ in range(RUNS):  # interleaved: the machine's load drifts more than containment costs
        contained.append(_timed(_grade_args(SOLVED, "--jobs=1"))[0])
        loose.append(_timed(_grade_args(SOLVED, "--jobs=1", "--uncontained"))[0])
    c, u = statistics.median(contained), statistics.median(loose)
    share = 100 * (c - u) / u
    print(f"grading contained / --uncontained   : {c:5.2f} s / {u:5.2f} s  ({c - u:+5.2f} s, {share:+4.1f}%)")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        bare = [sys.executable, "-c", "pass"]
        wrapped = kernel_command(bare, scratch=scratch, read=readable_roots(CHECKS), memory=4 * 1024**3, contain=True)
        plain = statistics.median(_timed(bare)[0] for _ in range(5))
        launcher = statistics.median(_timed(wrapped)[0] for _ in range(5))
    per_kernel = launcher - plain
    print(
        f"launcher start per kernel           : {per_kernel * 1000:6.0f} ms "
        f"({100 * 2 * per_kernel / c:4.1f}% of grading this two-notebook submission; aim < 5%)"
    )


def main() -> None:
    if shutil.which("jupyter", path=str(BIN)) is None:
        print("jupyter is not installed in this environment: run `make bench` (it sets up .venv)")
        return
    grading_vs_nbconvert()
    dead_kernel_detection()
    check_latency()
    peak_memory()
    containment_cost()


if __name__ == "__main__":
    main()
