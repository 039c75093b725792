"""``python -m grader release``: build the learner notebooks from the authored ones (see docs/authoring.md)."""

from __future__ import annotations

from grader.release._context import AuthoringError, BuildContext
from grader.release._pipeline import STEPS, ReleaseReport, build_notebook, release

__all__ = ["STEPS", "AuthoringError", "BuildContext", "ReleaseReport", "build_notebook", "release"]
