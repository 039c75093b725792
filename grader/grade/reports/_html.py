"""``--html``: the cohort report an instructor opens in a browser, one file that stands alone (no network, no script).

What it shows, top to bottom: the score distribution (a histogram), the pass rate of every exercise (a bar chart,
passed / failed / not attempted), the most frequent failing checks with their messages and how many learners hit
each, the submissions flagged for review (integrity flags, and work that could not be graded), and a table with a row
per learner that links their Markdown feedback file when one was written (``--markdown``).

Charts are SVG drawn by matplotlib (Agg, no display) and written inline. Every string that came from a submission —
learner names, paths, feedback, flags' details — goes through :func:`grader.grade._scrub.html` (cleaned, then escaped).
"""

from __future__ import annotations

import io
import os
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from grader.grade._results import SubmissionScore
from grader.grade._scrub import html as esc
from grader.grade.reports._markdown import feedback_file_name

__all__ = ["FailingCheck", "cohort_html", "exercise_counts", "failing_checks", "write_html"]

_TOP_FAILING: Final = 15
_NOT_ATTEMPTED: Final = "is not attempted yet"
_VARYING: Final = re.compile(r"'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?")
_COLOURS: Final = {"passed": "#2e7d32", "failed": "#c62828", "not attempted": "#9e9e9e"}

_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem 2rem; }
.figures div { font-size: 1.6rem; } .figures span { display: block; font-size: 0.85rem; color: #666; }
.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; white-space: nowrap; }
pre { margin: 0; white-space: pre-wrap; font-size: 0.85rem; }
.none { color: #666; font-style: italic; }
"""


@dataclass(slots=True)
class FailingCheck:
    """One failing check message (numbers and quoted values aside) and the learners whose work it rejected."""

    exercise: str
    message: str  # the first learner's message, as they saw it
    learners: list[str] = field(default_factory=list)


def _heads(feedback: str) -> list[str]:
    """The first line of each check message in an exercise's feedback (not its expected / got / hint lines)."""
    return [
        line.strip()
        for line in feedback.splitlines()
        if line.strip() and not line[:1].isspace() and not line.startswith(("Hint:", "(seed"))
    ]


def failing_checks(results: Sequence[SubmissionScore]) -> list[FailingCheck]:
    """The failing check messages of the cohort, most learners first (work not attempted is not counted)."""
    found: dict[tuple[str, str], FailingCheck] = {}
    for sub in results:
        for ex in sub.exercises():
            if ex.passed or _NOT_ATTEMPTED in ex.feedback:
                continue
            for head in dict.fromkeys(_heads(ex.feedback) or ["(no feedback)"]):
                key = (ex.id, _VARYING.sub("…", head))
                entry = found.setdefault(key, FailingCheck(ex.id, head))
                if sub.learner not in entry.learners:
                    entry.learners.append(sub.learner)
    return sorted(found.values(), key=lambda f: (-len(f.learners), _exercise_key(f.exercise), f.message))


def _exercise_key(exercise_id: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in exercise_id.split("."))


def exercise_counts(results: Sequence[SubmissionScore]) -> dict[str, dict[str, int]]:
    """``{exercise: {"passed": n, "failed": n, "not attempted": n}}``, learners counted, exercises in order."""
    counts: dict[str, dict[str, int]] = {}
    for sub in results:
        for ex in sub.exercises():
            row = counts.setdefault(ex.id, dict.fromkeys(_COLOURS, 0))
            kind = "passed" if ex.passed else "not attempted" if _NOT_ATTEMPTED in ex.feedback else "failed"
            row[kind] += 1
    return dict(sorted(counts.items(), key=lambda item: _exercise_key(item[0])))


# --- charts -----------------------------------------------------------------------------------------------------------


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML declaration or doctype


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "weekfour", "font.size": 10})
    return plt


def _histogram(results: Sequence[SubmissionScore]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 3.0))
    percents = [r.percent for r in results if not r.ungradable]
    ax.hist(percents, bins=list(range(0, 101, 10)), color="#1565c0", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (% of the maximum)")
    ax.set_ylabel("learners")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"Score distribution ({len(percents)} graded)")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _svg(fig)


def _pass_rates(counts: dict[str, dict[str, int]]) -> str:
    plt = _pyplot()
    ids = list(counts)
    fig, ax = plt.subplots(figsize=(max(7.0, 0.32 * len(ids) + 2), 3.4))
    bottom = [0.0] * len(ids)
    for kind, colour in _COLOURS.items():
        shares = [100.0 * counts[i][kind] / max(1, sum(counts[i].values())) for i in ids]
        ax.bar(ids, shares, bottom=bottom, color=colour, label=kind, width=0.75)
        bottom = [b + s for b, s in zip(bottom, shares, strict=True)]
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of learners")
    ax.set_title("Pass rate per exercise")
    ax.tick_params(axis="x", labelrotation=90)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _svg(fig)


# --- the page ---------------------------------------------------------------------------------------------------------


def _figures(results: Sequence[SubmissionScore]) -> str:
    graded = [r for r in results if not r.ungradable]
    percents = [r.percent for r in graded]
    items = [
        (str(len(results)), "submissions"),
        (f"{statistics.median(percents):.0f}%" if percents else "–", "median score"),
        (f"{statistics.fmean(percents):.0f}%" if percents else "–", "mean score"),
        (str(sum(1 for r in results if r.flags)), "flagged for review"),
        (str(len(results) - len(graded)), "could not be graded"),
    ]
    return '<div class="figures">' + "".join(f"<div>{v}<span>{k}</span></div>" for v, k in items) + "</div>"


def _failing_table(results: Sequence[SubmissionScore]) -> str:
    rows = failing_checks(results)[:_TOP_FAILING]
    if not rows:
        return '<p class="none">No check failed (work not attempted aside).</p>'
    body = "".join(
        f'<tr><td>{esc(f.exercise)}</td><td class="num">{len(f.learners)}</td><td><pre>{esc(f.message)}</pre></td>'
        f"<td>{esc(', '.join(sorted(f.learners)[:8]) + (' …' if len(f.learners) > 8 else ''))}</td></tr>"
        for f in rows
    )
    return (
        "<table><thead><tr><th>Exercise</th><th>Learners</th><th>Message (the first learner's)</th>"
        f"<th>Who</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _flagged_table(results: Sequence[SubmissionScore]) -> str:
    rows: list[str] = []
    for sub in sorted(results, key=lambda r: r.learner):
        for nb in sub.notebooks:
            for flag in nb.flags:
                rows.append(
                    f"<tr><td>{esc(sub.learner)}</td><td>{esc(nb.name)}</td><td>{esc(flag.kind)}</td>"
                    f"<td>{esc(flag.where)}</td><td><pre>{esc(flag.detail)}</pre></td></tr>"
                )
            if nb.ungradable:
                rows.append(
                    f"<tr><td>{esc(sub.learner)}</td><td>{esc(nb.name)}</td><td>could not grade</td><td></td>"
                    f"<td><pre>{esc(nb.error or '')}</pre></td></tr>"
                )
    if not rows:
        return '<p class="none">Nothing flagged: no integrity flag, and every submission was graded.</p>'
    return (
        "<table><thead><tr><th>Learner</th><th>Notebook</th><th>Flag</th><th>Where</th><th>Detail</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _learner_table(results: Sequence[SubmissionScore], feedback: Path | None, page: Path | None) -> str:
    rows: list[str] = []
    for sub in sorted(results, key=lambda r: r.learner):
        exercises = sub.exercises()
        passed = sum(1 for e in exercises if e.passed)
        link = ""
        if feedback is not None:
            target = feedback / feedback_file_name(sub.learner)
            href = os.path.relpath(target, page.parent) if page is not None else str(target)
            link = f'<a href="{esc(Path(href).as_posix())}">feedback</a>'
        state = "could not grade" if sub.ungradable else "flagged" if sub.flags else ""
        rows.append(
            f'<tr><td>{esc(sub.learner)}</td><td class="num">{sub.score}/{sub.max_score}</td>'
            f'<td class="num">{sub.percent:.0f}%</td><td class="num">{passed}/{len(exercises)}</td>'
            f"<td>{state}</td><td>{link}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Learner</th><th>Score</th><th>%</th><th>Exercises passed</th><th>Review</th>"
        f"<th>Feedback</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def cohort_html(results: Sequence[SubmissionScore], *, feedback: Path | None = None, page: Path | None = None) -> str:
    """The whole page. ``feedback``: the ``--markdown`` folder (each learner's row links their file), linked
    relative to ``page``, where the page will be written."""
    counts = exercise_counts(results)
    charts = (
        f'<div class="chart">{_histogram(results)}</div>'
        + (f'<div class="chart">{_pass_rates(counts)}</div>' if counts else "")
        if results
        else '<p class="none">No submission in this report.</p>'
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Week Four cohort report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Week Four cohort report</h1>",
        _figures(results),
        '<h2 id="scores">Scores and pass rates</h2>',
        charts,
        '<h2 id="failing">Most frequent failing checks</h2>',
        _failing_table(results),
        '<h2 id="flagged">Flagged for review</h2>',
        _flagged_table(results),
        '<h2 id="learners">Learners</h2>',
        _learner_table(results, feedback, page),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_html(results: Sequence[SubmissionScore], path: Path, *, feedback: Path | None = None) -> None:
    path.write_text(cohort_html(results, feedback=feedback, page=path.resolve()), encoding="utf-8")
