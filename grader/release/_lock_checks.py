"""Step 4: check cells become canonical ``check("ID")`` and locked (not editable, not deletable) in Jupyter."""

from __future__ import annotations

from grader._cells import canonical_check_source, exercise_id, is_check
from grader._nbio import Notebook
from grader.release._context import BuildContext

__all__ = ["lock_checks"]


def lock_checks(nb: Notebook, ctx: BuildContext) -> Notebook:
    for cell in nb["cells"]:
        ex_id = exercise_id(cell)
        if is_check(cell) and ex_id is not None:
            cell["source"] = canonical_check_source(ex_id)
            cell["metadata"]["editable"] = False
            cell["metadata"]["deletable"] = False
    return nb
