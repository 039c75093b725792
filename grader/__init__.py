"""Week Four grader: authoring build, exercise checks, in-notebook check(), nbval-based grading.

In a notebook::

    from grader import check, progress
    check("1.2")      # run exercise 1.2's public checks now
    progress()        # an overview of every exercise of this notebook

For authors of checks, see ``grader.checks`` and docs/authoring.md. The command line is ``python -m grader``.
"""

from __future__ import annotations

from grader._api import CheckFailed, Namespace, NotAttempted, exercise
from grader._kernel import CheckError, check, progress

__all__ = ["CheckError", "CheckFailed", "Namespace", "NotAttempted", "check", "exercise", "progress"]
