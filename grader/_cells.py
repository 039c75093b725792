"""What a cell is, read from its metadata (never from its text): predicates shared by the release and the grader."""

from __future__ import annotations

import hashlib
import re
from typing import Any, Final

from grader._nbio import Cell, cell_tags

__all__ = [
    "BEGIN",
    "END",
    "META_KEY",
    "STORY_FILE",
    "TAG_CHECK",
    "TAG_RAISES",
    "TAG_SOLUTION",
    "canonical_check_source",
    "check_call_id",
    "exercise_id",
    "has_marker",
    "is_check",
    "is_code",
    "is_solution",
    "is_story",
    "notebook_number",
    "story_stamp",
]

TAG_SOLUTION: Final = "solution"
TAG_CHECK: Final = "check"
TAG_RAISES: Final = "raises-exception"
META_KEY: Final = "weekfour"
BEGIN: Final = "### BEGIN SOLUTION"
END: Final = "### END SOLUTION"
STORY_FILE: Final = "story.json"  # beside the checks: the story cells' hashes, written by the release

_CHECK_CALL: Final = re.compile(r"""^\s*check\(\s*["'](\d{1,3}\.\d{1,3})["']\s*\)\s*;?\s*$""")
_NOTEBOOK_NUMBER: Final = re.compile(r"^(\d{1,3})[-_]")


def is_code(cell: Cell) -> bool:
    return cell.get("cell_type") == "code"


def is_solution(cell: Cell) -> bool:
    return is_code(cell) and TAG_SOLUTION in cell_tags(cell)


def is_check(cell: Cell) -> bool:
    return is_code(cell) and TAG_CHECK in cell_tags(cell)


def _meta(cell: Cell) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get(META_KEY)
    return meta if isinstance(meta, dict) else {}


def exercise_id(cell: Cell) -> str | None:
    value = _meta(cell).get("exercise")
    return value if isinstance(value, str) else None


def has_marker(cell: Cell) -> bool:
    return BEGIN in cell.get("source", "") or END in cell.get("source", "")


def canonical_check_source(ex_id: str) -> str:
    return f'check("{ex_id}")'


def check_call_id(source: str) -> str | None:
    """The id in a cell that is exactly ``check("ID")``, else None."""
    match = _CHECK_CALL.match(source.strip())
    return match.group(1) if match else None


def notebook_number(filename: str) -> int | None:
    """``"01-hallucination.ipynb"`` → 1; None when the name does not start with a number."""
    match = _NOTEBOOK_NUMBER.match(filename)
    return int(match.group(1)) if match else None


def is_story(cell: Cell) -> bool:
    """A code cell the course wrote that is neither a solution nor a check: setup, demos, replays, plots, widgets."""
    return is_code(cell) and not is_solution(cell) and not is_check(cell)


def story_stamp(source: str) -> str:
    """How the story table names a story cell: a hash of its source."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:32]
