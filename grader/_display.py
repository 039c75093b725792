"""How a check result looks: rich HTML in Jupyter, plain text in a terminal (and in the grader's logs)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from grader._runner import ExerciseResult

__all__ = ["html_progress", "html_result", "text_progress", "text_result"]

_COLOURS = {"passed": "#1a7f37", "not_attempted": "#9a6700", "failed": "#cf222e", "check_error": "#8250df"}
_LABELS = {"passed": "passed", "not_attempted": "not attempted", "failed": "not yet", "check_error": "check broke"}
_MARKS = {"passed": "✓", "not_attempted": "…", "failed": "✗", "check_error": "!"}


def _heading(result: ExerciseResult) -> str:
    title = f" — {result.title}" if result.title else ""
    return f"Exercise {result.id}{title}"


def text_result(result: ExerciseResult) -> str:
    mark = _MARKS[result.status]
    head = f"{mark} {_heading(result)}: {_LABELS[result.status]} ({result.points}/{result.max_points} points)"
    return head if result.passed else f"{head}\n{result.feedback}"


def html_result(result: ExerciseResult) -> str:
    colour = _COLOURS[result.status]
    head = (
        f"<b>{_MARKS[result.status]} {html.escape(_heading(result))}</b>: {_LABELS[result.status]} "
        f"<span style='opacity:.7'>({result.points}/{result.max_points} points)</span>"
    )
    body = (
        ""
        if result.passed
        else f"<pre style='white-space:pre-wrap;margin:.4em 0 0'>{html.escape(result.feedback)}</pre>"
    )
    return (
        f"<div style='border-left:4px solid {colour};padding:.4em .8em;margin:.3em 0;"
        f"background:{colour}14'>{head}{body}</div>"
    )


def text_progress(results: Sequence[ExerciseResult]) -> str:
    done = sum(r.points for r in results)
    total = sum(r.max_points for r in results)
    lines = [f"Progress: {done}/{total} points from public checks"]
    for r in results:
        lines.append(
            f"  {_MARKS[r.status]} {r.id:<6} {_LABELS[r.status]:<14} {r.points}/{r.max_points}  {r.title or ''}"
        )
    return "\n".join(lines)


def html_progress(results: Sequence[ExerciseResult]) -> str:
    done = sum(r.points for r in results)
    total = sum(r.max_points for r in results)
    rows = "".join(
        f"<tr><td>{html.escape(r.id)}</td><td>{html.escape(r.title or '')}</td>"
        f"<td style='color:{_COLOURS[r.status]}'>{_MARKS[r.status]} {_LABELS[r.status]}</td>"
        f"<td>{r.points}/{r.max_points}</td></tr>"
        for r in results
    )
    pct = 0 if total == 0 else round(100 * done / total)
    return (
        f"<div><b>Progress: {done}/{total} points</b> from public checks"
        f"<div style='background:#eee;height:8px;width:240px;margin:.3em 0'>"
        f"<div style='background:#1a7f37;height:8px;width:{pct}%'></div></div>"
        f"<table><tr><th>Exercise</th><th>Title</th><th>Status</th><th>Points</th></tr>{rows}</table></div>"
    )
