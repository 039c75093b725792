"""The terminal report: a table per notebook (exercise, points, passed, feedback), or one row per learner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.grade._results import SubmissionScore
from grader.grade._scrub import clean

__all__ = ["print_cohort", "print_submission"]

_FEEDBACK_LINES = 8


def _short(text: str) -> str:
    lines = clean(text).splitlines()
    return "\n".join(lines[:_FEEDBACK_LINES] + (["…"] if len(lines) > _FEEDBACK_LINES else []))


def print_submission(sub: SubmissionScore, file: TextIO | None = None) -> None:
    console = Console(file=file, highlight=False, soft_wrap=False)
    for nb in sub.notebooks:
        name = clean(nb.name)
        if nb.error:
            console.print(Text(f"{name}: {nb.score}/{nb.max_score}", style="bold red"), "— ", end="")
            console.print(Text(clean(nb.error)))
            continue
        table = Table(title=Text(f"{name}: {nb.score}/{nb.max_score}"), title_justify="left", show_lines=True)
        table.add_column("Exercise", no_wrap=True)
        table.add_column("Points", justify="right", no_wrap=True)
        table.add_column("Passed", justify="center")
        table.add_column("Feedback", overflow="fold")
        for ex in nb.exercises:
            title = f"\n{ex.title}" if ex.title else ""
            mark = "[green]✓[/]" if ex.passed else "[red]✗[/]"
            table.add_row(Text(f"{ex.id}{title}"), f"{ex.points}/{ex.max_points}", mark, Text(_short(ex.feedback)))
        console.print(table)
    console.print(f"[bold]Total: {sub.score}/{sub.max_score}[/]")


def print_cohort(results: Sequence[SubmissionScore], file: TextIO | None = None) -> None:
    console = Console(file=file, highlight=False)
    table = Table(title="Cohort", title_justify="left")
    table.add_column("Learner")
    table.add_column("Score", justify="right")
    table.add_column("Notes", overflow="fold")
    for r in sorted(results, key=lambda r: r.learner):
        notes = "; ".join(f"{n.name}: {(n.error.splitlines() or [''])[0]}" for n in r.notebooks if n.error)
        table.add_row(Text(clean(r.learner)), f"{r.score}/{r.max_score}", Text(clean(notes)))
    console.print(table)
