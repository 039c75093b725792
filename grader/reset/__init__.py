"""``python -m grader reset NOTEBOOK EXERCISE``: put one exercise's solution cell(s) back to the released stub.

The stub comes from the released notebook (``_released``: built from ``solutions/`` in the course repository, else
the version of the notebook first committed to git, else a file passed with ``--from``); what it replaces is kept in
a backup beside the notebook, in ``.backups/`` (``_reset``).
"""

from __future__ import annotations

from grader.reset._released import ReleasedNotFound, released_notebook
from grader.reset._reset import BACKUPS, ResetError, ResetReport, reset_exercise

__all__ = ["BACKUPS", "ReleasedNotFound", "ResetError", "ResetReport", "released_notebook", "reset_exercise"]
