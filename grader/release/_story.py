"""The story table: a hash of every story cell of every released notebook, for the grader's slicing.

A graded copy leaves out story cells no check depends on (:mod:`grader.grade._slice`), but only cells the course
wrote and the learner left as they were: a cell is one when the hash of its source is in this table. The release
writes ``grader/checks/story.json`` from the notebooks it builds, and ``release --check`` fails when it is out of step.
Story cells are the code cells that are neither solution nor check cells; their source is the same in ``solutions/``
and ``notebooks/`` (the release changes only solution and check cells), so the table serves both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from grader._cells import STORY_FILE, is_story, story_stamp
from grader._nbio import Notebook
from grader._registry import POINTS_TABLE

__all__ = ["STORY_TABLE", "course_story_table", "render_story_table", "story_table"]

STORY_TABLE = POINTS_TABLE.parent / STORY_FILE
_ABOUT = (
    "A hash of every story cell of every released notebook: the grader leaves such a cell out of a graded copy when "
    "no check depends on it and the learner did not change it. Written by `python -m grader release`; do not edit."
)


def story_table(built: Mapping[int, Notebook]) -> dict[str, list[str]]:
    """``{"01": [hash, ...]}`` for the built notebooks, by notebook number."""
    table: dict[str, list[str]] = {}
    for number, nb in sorted(built.items()):
        table[f"{number:02d}"] = sorted({story_stamp(c.get("source", "")) for c in nb["cells"] if is_story(c)})
    return table


def render_story_table(table: dict[str, list[str]]) -> str:
    return json.dumps({"about": _ABOUT, "notebooks": table}, indent=1, ensure_ascii=False) + "\n"


def course_story_table(source: Path) -> Path | None:
    """The table a release of ``source`` keeps in step: the package's own for the course's ``solutions/``, none for
    any other folder (a fixture course passes its own)."""
    course = POINTS_TABLE.parents[2] / "solutions"
    try:
        return STORY_TABLE if source.resolve() == course.resolve() else None
    except OSError:
        return None
