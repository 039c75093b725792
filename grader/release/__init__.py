"""``python -m grader release``: build the learner notebooks from the authored ones (see docs/authoring.md)."""

from __future__ import annotations

from grader.release._context import AuthoringError, BuildContext
from grader.release._pipeline import STEPS, ReleaseReport, build_notebook, release
from grader.release._points import course_points_table, points_table, render_points_table
from grader.release._story import course_story_table, render_story_table, story_table

__all__ = [
    "STEPS",
    "AuthoringError",
    "BuildContext",
    "ReleaseReport",
    "build_notebook",
    "course_points_table",
    "course_story_table",
    "points_table",
    "release",
    "render_points_table",
    "render_story_table",
    "story_table",
]
