"""Step 3: learner notebooks ship without outputs, execution counts, timings or widget state."""

from __future__ import annotations

from grader._cells import is_code
from grader._nbio import Notebook
from grader.release._context import BuildContext

__all__ = ["clear_outputs"]


def clear_outputs(nb: Notebook, ctx: BuildContext) -> Notebook:
    for cell in nb["cells"]:
        if is_code(cell):
            cell["outputs"] = []
            cell["execution_count"] = None
        cell["metadata"].pop("execution", None)
    nb["metadata"].pop("widgets", None)
    return nb
