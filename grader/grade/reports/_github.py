"""GitHub: the Actions job summary (when ``GITHUB_STEP_SUMMARY`` is set) and the ``Points X/Y`` line Classroom reads."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from grader.grade._results import SubmissionScore
from grader.grade._scrub import markdown

__all__ = ["classroom_line", "job_summary", "write_job_summary"]

_SUMMARY_FAILING = 5


def classroom_line(results: Sequence[SubmissionScore]) -> str:
    return f"Points {sum(r.score for r in results)}/{sum(r.max_score for r in results)}"


def job_summary(results: Sequence[SubmissionScore]) -> str:
    lines = ["## Week Four grades", ""]
    if len(results) == 1:
        sub = results[0]
        lines += [f"**{sub.score}/{sub.max_score} points**", "", "| Exercise | Points | Passed |", "|---|---|---|"]
        for ex in sub.exercises():
            lines.append(f"| {ex.id} | {ex.points}/{ex.max_points} | {'✅' if ex.passed else '❌'} |")
        for nb in sub.notebooks:
            if nb.error:
                lines.append(f"\n> {markdown(nb.name)}: {markdown((nb.error.splitlines() or [''])[0])}")
    else:
        lines += ["| Learner | Score | Max |", "|---|---|---|"]
        lines += [
            f"| {markdown(r.learner)} | {r.score} | {r.max_score} |" for r in sorted(results, key=lambda r: r.learner)
        ]
        lines += _cohort_overview(results)
    return "\n".join(lines) + "\n"


def _cohort_overview(results: Sequence[SubmissionScore]) -> list[str]:
    """What the HTML report charts, as text: the pass rate per exercise, the most frequent failing checks, flags."""
    from grader.grade.reports._html import exercise_counts, failing_checks

    counts = exercise_counts(results)
    lines = [
        "",
        "### Pass rate per exercise",
        "",
        "| Exercise | Passed | Failed | Not attempted |",
        "|---|---|---|---|",
    ]
    lines += [f"| {ex} | {c['passed']} | {c['failed']} | {c['not attempted']} |" for ex, c in counts.items()]
    failing = failing_checks(results)[:_SUMMARY_FAILING]
    if failing:
        lines += ["", "### Most frequent failing checks", "", "| Exercise | Learners | Message |", "|---|---|---|"]
        lines += [f"| {markdown(f.exercise)} | {len(f.learners)} | {markdown(f.message)} |" for f in failing]
    flagged = sorted({r.learner for r in results if r.flags})
    if flagged:
        lines += ["", f"**Flagged for review:** {', '.join(markdown(name) for name in flagged)}"]
    return lines


def write_job_summary(results: Sequence[SubmissionScore]) -> Path | None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(job_summary(results))
    return path
