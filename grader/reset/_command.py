"""The ``reset`` command's messages: what was reset, where the backup is, what to do in JupyterLab."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from grader._nbio import NotebookError
from grader.reset._released import ReleasedNotFound
from grader.reset._reset import ResetError, reset_exercise

__all__ = ["run"]

_NUMBER = re.compile(r"^\d{1,2}$")


def _resolve(notebook: Path) -> Path:
    """``04`` or ``4`` means ``notebooks/04-*.ipynb``; anything else is a path."""
    if _NUMBER.match(str(notebook)):
        found = sorted(Path("notebooks").glob(f"{int(str(notebook)):02d}-*.ipynb"))
        if found:
            return found[0]
    return notebook


def run(notebook: Path, exercise: str, *, source: Path | None = None) -> int:
    path = _resolve(notebook)
    if not path.is_file():
        print(f"{path} is not a notebook file: pass its path, e.g. notebooks/04-fallbacks.ipynb.", file=sys.stderr)
        return 2
    try:
        report = reset_exercise(path, exercise, source=source)
    except (ResetError, ReleasedNotFound, NotebookError) as exc:
        print(f"Nothing was changed: {exc}", file=sys.stderr)
        return 2
    cells = "its solution cell" if report.cells == 1 else f"its {report.cells} solution cells"
    print(f"Exercise {exercise} in {path} is back to the stub ({cells}, from {report.released_from}).")
    print(f"What it replaced is kept in {report.backup} (the whole notebook as it was).")
    print(
        "If the notebook is open in JupyterLab, reload it from disk (File > Reload Notebook from Disk) before you "
        "save it again: saving the open copy would write the old code back."
    )
    return 0
