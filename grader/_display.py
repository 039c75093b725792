"""How a check result looks: rich HTML in Jupyter, plain text in a terminal (and in the grader's logs)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Final

from grader._runner import ExerciseResult

__all__ = ["html_progress", "html_result", "replay_how", "text_progress", "text_result"]

_COLOURS = {"passed": "#1a7f37", "not_attempted": "#9a6700", "failed": "#cf222e", "check_error": "#8250df"}
_LABELS = {"passed": "passed", "not_attempted": "not attempted", "failed": "not yet", "check_error": "check broke"}
_MARKS = {"passed": "✓", "not_attempted": "…", "failed": "✗", "check_error": "!"}


_SEED_HINT: Final = re.compile(r"set WEEKFOUR_SEED=(\d+) to replay this run")
_NOT_DEFINED: Final = re.compile(r"`[^`]+` is not defined yet")


def replay_how(seed: int | str) -> str:
    """Where to set the replay seed, for the line under a check's feedback."""
    return (
        f"To replay it: run `%env WEEKFOUR_SEED={seed}` in a cell of this notebook, then this check again (the same "
        f"scenarios, until `%env WEEKFOUR_SEED=` clears it); for grading, `WEEKFOUR_SEED={seed} make grade`."
    )


def _feedback(result: ExerciseResult) -> str:
    """The check's feedback, with where to set the seed when it offers a replay (a name not defined yet fails the
    same way with every seed: no replay line then)."""
    found = _SEED_HINT.search(result.feedback)
    if found is None or _NOT_DEFINED.search(result.feedback):
        return result.feedback
    return f"{result.feedback}\n{replay_how(found.group(1))}"


def _heading(result: ExerciseResult) -> str:
    title = f" — {result.title}" if result.title else ""
    return f"Exercise {result.id}{title}"


def _points(result: ExerciseResult) -> str:
    """``4/4 points`` — or, when checks that run at grading hold more, ``4/4 here · 5 points in all: 1 more from
    checks that run at grading``, so nobody reads a green check as the whole score."""
    if not result.later:
        return f"{result.points}/{result.max_points} points"
    total = result.max_points + result.later
    return (
        f"{result.points}/{result.max_points} here · {total} points in all: {result.later} more from checks that run "
        "at grading"
    )


def _totals(results: Sequence[ExerciseResult]) -> str:
    done = sum(r.points for r in results)
    here = sum(r.max_points for r in results)
    later = sum(r.later for r in results)
    if not later:
        return f"{done}/{here} points"
    return f"{done}/{here} points here · {here + later} in all ({later} more from checks that run at grading)"


def _row_points(result: ExerciseResult) -> str:
    base = f"{result.points}/{result.max_points}"
    return f"{base} (+{result.later} at grading)" if result.later else base


def text_result(result: ExerciseResult) -> str:
    mark = _MARKS[result.status]
    head = f"{mark} {_heading(result)}: {_LABELS[result.status]} ({_points(result)})"
    return head if result.passed else f"{head}\n{_feedback(result)}"


def html_result(result: ExerciseResult) -> str:
    colour = _COLOURS[result.status]
    head = (
        f"<b>{_MARKS[result.status]} {html.escape(_heading(result))}</b>: {_LABELS[result.status]} "
        f"<span style='opacity:.7'>({html.escape(_points(result))})</span>"
    )
    body = (
        ""
        if result.passed
        else f"<pre style='white-space:pre-wrap;margin:.4em 0 0'>{html.escape(_feedback(result))}</pre>"
    )
    return (
        f"<div style='border-left:4px solid {colour};padding:.4em .8em;margin:.3em 0;"
        f"background:{colour}14'>{head}{body}</div>"
    )


def text_progress(results: Sequence[ExerciseResult]) -> str:
    lines = [f"Progress: {_totals(results)}"]
    for r in results:
        lines.append(f"  {_MARKS[r.status]} {r.id:<6} {_LABELS[r.status]:<14} {_row_points(r):<18} {r.title or ''}")
    return "\n".join(lines)


def html_progress(results: Sequence[ExerciseResult]) -> str:
    done = sum(r.points for r in results)
    total = sum(r.max_points for r in results)
    rows = "".join(
        f"<tr><td>{html.escape(r.id)}</td><td>{html.escape(r.title or '')}</td>"
        f"<td style='color:{_COLOURS[r.status]}'>{_MARKS[r.status]} {_LABELS[r.status]}</td>"
        f"<td>{html.escape(_row_points(r))}</td></tr>"
        for r in results
    )
    pct = 0 if total == 0 else round(100 * done / total)
    return (
        f"<div><b>Progress: {html.escape(_totals(results))}</b>"
        f"<div style='background:#eee;height:8px;width:240px;margin:.3em 0'>"
        f"<div style='background:#1a7f37;height:8px;width:{pct}%'></div></div>"
        f"<table><tr><th>Exercise</th><th>Title</th><th>Status</th><th>Points</th></tr>{rows}</table></div>"
    )
