"""``--markdown DIR``: the feedback a learner reads, one ``LEARNER.md`` each."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from grader.grade._results import SubmissionScore
from grader.grade._scrub import markdown

__all__ = ["feedback_file_name", "learner_markdown", "write_markdown"]


def _cell(text: str) -> str:
    return markdown(text)


def feedback_file_name(learner: str) -> str:
    """The name of a learner's feedback file: ``LEARNER.md``, with anything but letters, digits, ``-_.`` as ``_``."""
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in learner).lstrip(".")
    return f"{name or 'learner'}.md"


def learner_markdown(sub: SubmissionScore) -> str:
    lines = [f"# Week Four feedback: {_cell(sub.learner)}", "", f"**Score: {sub.score}/{sub.max_score}**", ""]
    for nb in sub.notebooks:
        lines += [f"## {_cell(nb.name)} — {nb.score}/{nb.max_score}", ""]
        if nb.error:
            lines += [f"> {_cell(nb.error)}", ""]
        lines += ["| Exercise | Points | Passed | Feedback |", "|---|---|---|---|"]
        for ex in nb.exercises:
            title = f" {ex.title}" if ex.title else ""  # the course's own text
            mark = "✅" if ex.passed else "❌"
            lines.append(f"| {ex.id}{_cell(title)} | {ex.points}/{ex.max_points} | {mark} | {_cell(ex.feedback)} |")
        lines.append("")
    flagged = [(nb.name, flag) for nb in sub.notebooks for flag in nb.flags]
    if flagged:
        lines += ["## Flagged for review", "", "For your instructor, who will look at these cells with you:", ""]
        lines += ["| Notebook | Where | Kind | What |", "|---|---|---|---|"]
        for name, flag in flagged:
            lines.append(f"| {_cell(name)} | {_cell(flag.where)} | {flag.kind} | {_cell(flag.detail)} |")
        lines.append("")
    return "\n".join(lines)


def write_markdown(results: Sequence[SubmissionScore], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sub in results:
        path = folder / feedback_file_name(sub.learner)
        path.write_text(learner_markdown(sub), encoding="utf-8")
        written.append(path)
    return written
