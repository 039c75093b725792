"""How long a newcomer's set-up takes, printed as figures: ``python benchmarks/bench_setup.py``.

It clones this repository's committed state into a temporary folder and runs ``make setup`` there with empty package
caches (uv's and pip's), as on a machine that has never installed anything: the aim is at most 30 s on two cores.
Then it runs ``make setup`` again (nothing to do: the stamp is fresh) and ``make .venv/.installed-test`` (the test
extra on top). It needs the package registry, as a learner's first set-up does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return time.monotonic() - started


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="weekfour-setup-") as tmp:
        base = Path(tmp)
        clone = base / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "UV_CACHE_DIR": str(base / "uv-cache"), "PIP_NO_CACHE_DIR": "1"}
        cold = _timed(["make", "setup"], clone, env)
        again = _timed(["make", "setup"], clone, env)
        test = _timed(["make", ".venv/.installed-test"], clone, env)
        installer = "uv" if (clone / ".venv" / "uv" / "bin" / "uv").exists() else "pip (uv could not be had)"
    print(f"make setup, fresh clone, empty caches ({installer}): {cold:.1f} s (aim: at most 30 s)")
    print(f"make setup again (already set up):                  {again:.1f} s")
    print(f"the test extra on top (make test's set-up):        {test:.1f} s")


if __name__ == "__main__":
    main()
