"""The terminal report: a table per notebook (exercise, points, feedback), or one row per learner.

Built to stay short and readable in an 80-column CI log as much as in a wide terminal:

- an untouched exercise ("not attempted") is one short line; the advice on what to do about it is said once, at the end;
- the feedback column never gets narrower than :data:`MIN_FEEDBACK` characters: when the terminal cannot spare that
  much, the table is printed without it and each exercise's feedback follows the table, wrapped at the full width;
- integrity flags, when a notebook has any, are listed in a short "Flagged for review" block (where, what).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, TextIO

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from grader.grade._results import ExerciseScore, NotebookScore, SubmissionScore
from grader.grade._scrub import clean

__all__ = ["MIN_FEEDBACK", "not_attempted_line", "print_cohort", "print_submission"]

MIN_FEEDBACK: Final = 30  # narrower than this, feedback goes below the table
_FEEDBACK_LINES: Final = 8  # a failed exercise's feedback is cut after this many lines
_TITLE_MAX: Final = 40  # a longer title ends in "…" (the id is what matters)
_TITLE_MIN: Final = 12
_NOT_ATTEMPTED: Final = re.compile(r"^Exercise (?P<id>\S+)(?: \(.*?\))? is not attempted yet: (?P<why>.*)$", re.S)
_PASTE: Final = re.compile(r"^paste .* from notebook (?P<nb>\d+)\b", re.S)
_SEED: Final = re.compile(r"set WEEKFOUR_SEED=(\d+) to replay this run")
_PASTE_ADVICE: Final = " (where it says paste, your code from the notebook named)"
_NAME: Final = re.compile(r"^(?P<name>`[^`]+`)")
_ENDS: Final = (". ", " (replacing", ", run the cell")
ADVICE: Final = (
    "Not attempted ({n}): its solution cell still holds the stub (the name shown raises NotImplementedError or is "
    "not defined yet). Replace the `raise NotImplementedError(...)` line with your code{paste}, run the cell and its "
    "check() in the notebook, then grade again."
)


def not_attempted_line(ex: ExerciseScore) -> str | None:
    """The one-line form of a "not attempted" feedback (``None`` when the exercise was attempted)."""
    if ex.passed:
        return None
    found = _NOT_ATTEMPTED.match(clean(ex.feedback).strip())
    if found is None:
        return None
    why = found["why"].strip()
    paste = _PASTE.match(why)
    name = _NAME.match(why)
    if found["id"] != ex.id:
        what = f"do {found['id']} first" + (f" ({name['name']})" if name else "")
    elif paste:
        what = f"paste from notebook {paste['nb']}"
    elif name:
        what = name["name"] + (" not defined" if "not defined" in why else "")
    else:
        cut = min((i for i in (why.find(end) for end in _ENDS) if i > 0), default=len(why))
        what = why[:cut].rstrip(".")
    return f"not attempted: {what}"


def _feedback(ex: ExerciseScore) -> Text:
    short = not_attempted_line(ex)
    if short is not None:
        return Text(short, style="yellow")
    lines = clean(ex.feedback).strip().splitlines()
    cut = lines[:_FEEDBACK_LINES] + (["…"] if len(lines) > _FEEDBACK_LINES else [])
    return Text("\n".join(cut))


def _mark(ex: ExerciseScore) -> Text:
    if ex.passed:
        return Text("✓", style="green")
    return Text("…" if not_attempted_line(ex) else "✗", style="yellow" if not_attempted_line(ex) else "red")


def _label(ex: ExerciseScore) -> str:
    return clean(f"{ex.title}" if ex.title else "")


def _widths(nb: NotebookScore, width: int) -> tuple[int, int, int, int]:
    """Column widths (id, title, points, feedback); feedback is 0 when it would be narrower than MIN_FEEDBACK.

    The title gives way first (down to _TITLE_MIN, ending in "…") so that a "not attempted" line fits on one line.
    """
    id_w = max([len("Ex.")] + [len(clean(e.id)) for e in nb.exercises])
    pts_w = max([len("Points")] + [len(f"✗ {e.points}/{e.max_points}") for e in nb.exercises])
    longest = max([len("Exercise")] + [len(_label(e)) for e in nb.exercises])
    wanted = max([MIN_FEEDBACK] + [len(line) for e in nb.exercises if (line := not_attempted_line(e))])
    room = width - id_w - pts_w - 3  # four columns, one space between each
    title_w = min(longest, _TITLE_MAX, max(_TITLE_MIN, room - wanted))
    feedback_w = room - title_w
    if not any(e.feedback.strip() for e in nb.exercises) or feedback_w < MIN_FEEDBACK:
        return id_w, min(longest, _TITLE_MAX, max(_TITLE_MIN, width - id_w - pts_w - 2)), pts_w, 0
    return id_w, title_w, pts_w, feedback_w


def _table(nb: NotebookScore, width: int) -> tuple[Table, bool]:
    id_w, title_w, pts_w, feedback_w = _widths(nb, width)
    table = Table(
        title=Text(f"{clean(nb.name)}: {nb.score}/{nb.max_score}", style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 0),
        collapse_padding=True,
    )
    table.add_column("Ex.", width=id_w, no_wrap=True)
    table.add_column("Exercise", width=title_w, no_wrap=True, overflow="ellipsis")
    table.add_column("Points", width=pts_w, justify="right", no_wrap=True)
    if feedback_w:
        table.add_column("Feedback", width=feedback_w, overflow="fold")
    for ex in nb.exercises:
        points = Text.assemble(_mark(ex), f" {ex.points}/{ex.max_points}")
        row = [Text(clean(ex.id)), Text(_label(ex)), points]
        table.add_row(*row, *([_feedback(ex)] if feedback_w else []))
    return table, bool(feedback_w)


def _feedback_below(console: Console, nb: NotebookScore) -> None:
    """Each exercise's feedback after the table, with the full width (a hanging indent under its id)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for ex in nb.exercises:
        if ex.feedback.strip() and not ex.passed:
            grid.add_row(Text(f"{clean(ex.id)}:", style="bold"), _feedback(ex))
    if grid.row_count:
        console.print(grid)


def _flags(console: Console, sub: SubmissionScore) -> None:
    flagged = [(nb, f) for nb in sub.notebooks for f in nb.flags]
    if not flagged:
        return
    console.print(Text(f"Flagged for review ({len(flagged)}): for the instructor, no points changed", style="bold"))
    for nb, flag in flagged:
        where = ", ".join(p for p in (clean(nb.name), clean(flag.where)) if p)
        console.print(Padding(Text(f"{where}: {clean(flag.kind)}: {clean(flag.detail)}"), (0, 0, 0, 2)))


def print_submission(sub: SubmissionScore, file: TextIO | None = None) -> None:
    console = Console(file=file, highlight=False, soft_wrap=False)
    for nb in sub.notebooks:
        name = clean(nb.name)
        if nb.error:
            console.print(Text(f"{name}: {nb.score}/{nb.max_score}", style="bold red"), "— ", end="")
            console.print(Text(clean(nb.error)))
            continue
        table, with_feedback = _table(nb, console.width)
        console.print(table)
        if not with_feedback:
            _feedback_below(console, nb)
    untouched = [line for e in sub.exercises() if (line := not_attempted_line(e)) is not None]
    if untouched:
        paste = _PASTE_ADVICE if any("paste from" in line for line in untouched) else ""
        console.print(Text(ADVICE.format(n=len(untouched), paste=paste), style="yellow"))
    seeds = sorted({m.group(1) for e in sub.exercises() if (m := _SEED.search(e.feedback))})
    if seeds:
        console.print(
            Text(
                f"To replay a run: `WEEKFOUR_SEED={seeds[0]} make grade` (the seed its feedback names), or in the "
                f"notebook `%env WEEKFOUR_SEED={seeds[0]}` in a cell before `check()`."
            )
        )
    _flags(console, sub)
    console.print(f"[bold]Total: {sub.score}/{sub.max_score}[/]")


def print_cohort(results: Sequence[SubmissionScore], file: TextIO | None = None) -> None:
    console = Console(file=file, highlight=False)
    table = Table(title="Cohort", title_justify="left")
    table.add_column("Learner")
    table.add_column("Score", justify="right")
    table.add_column("Notes", overflow="fold")
    for r in sorted(results, key=lambda r: r.learner):
        notes = "; ".join(f"{n.name}: {(n.error.splitlines() or [''])[0]}" for n in r.notebooks if n.error)
        if r.flags:
            notes = "; ".join(p for p in (notes, f"{len(r.flags)} flagged for review") if p)
        table.add_row(Text(clean(r.learner)), f"{r.score}/{r.max_score}", Text(clean(notes)))
    console.print(table)
