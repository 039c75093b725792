"""Many submissions at once: a thread per running submission (each drives its own pytest process), a progress bar,
and a broken submission that never stops the others; and a cohort graded in shards joined back into one
(:func:`merge_reports`, ``python -m grader merge``)."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from grader._registry import CheckRegistry
from grader.grade._execute import Limits
from grader.grade._results import NotebookScore, ReportError, SubmissionScore
from grader.grade._submission import Submission, grade_submission

__all__ = ["default_jobs", "grade_cohort", "merge_reports"]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _safe(
    sub: Submission,
    registry: CheckRegistry,
    timeout: float,
    limits: Limits | None,
    on_notebook: Callable[[int, int, str], None] | None = None,
) -> SubmissionScore:
    try:
        return grade_submission(sub, registry=registry, timeout=timeout, limits=limits, on_notebook=on_notebook)
    except Exception as exc:  # the grader's own failure on one submission must not stop the cohort
        # The exception's text may hold the grader's temporary paths: the report, which learners see, names only its
        # kind; the whole traceback goes to the instructor's terminal (stderr), to be read or sent with a bug report.
        tqdm.write(f"The grader failed on {sub.learner} ({sub.path}):\n{traceback.format_exc()}", file=sys.stderr)
        message = f"could not grade this submission: the grader failed ({type(exc).__name__}). Grade it again alone."
        notebooks = [NotebookScore(str(p), [], message, ungradable=True) for _, p in sub.notebooks]
        notebooks = notebooks or [NotebookScore(str(sub.path), [], message, ungradable=True)]
        return SubmissionScore(sub.learner, str(sub.path), notebooks)


def grade_cohort(
    submissions: Sequence[Submission],
    *,
    registry: CheckRegistry,
    timeout: float = 30.0,
    jobs: int | None = None,
    progress: bool | None = None,
    on_done: Callable[[SubmissionScore], None] | None = None,
    limits: Limits | None = None,
) -> list[SubmissionScore]:
    """Grade ``submissions`` with up to ``jobs`` at a time; results keep the input order."""
    jobs = max(1, jobs or default_jobs())
    show = progress is not False
    if len(submissions) == 1:
        return [_one(submissions[0], registry, timeout, limits, show, on_done)]
    results: dict[int, SubmissionScore] = {}
    with (
        ThreadPoolExecutor(max_workers=jobs) as pool,
        tqdm(total=len(submissions), unit="learner", disable=not show, file=sys.stderr, desc="grading") as bar,
    ):
        futures = {pool.submit(_safe, sub, registry, timeout, limits): i for i, sub in enumerate(submissions)}
        for future in as_completed(futures):
            result = future.result()
            results[futures[future]] = result
            bar.set_postfix_str(f"{result.learner} {result.score}/{result.max_score}")
            bar.update()
            if on_done is not None:
                on_done(result)
    return [results[i] for i in range(len(submissions))]


def _one(
    sub: Submission,
    registry: CheckRegistry,
    timeout: float,
    limits: Limits | None,
    show: bool,
    on_done: Callable[[SubmissionScore], None] | None,
) -> SubmissionScore:
    """One submission, with a bar over its notebooks: "grading 3/7 [02-runaway-spend.ipynb]"."""
    with tqdm(total=len(sub.notebooks), unit="notebook", disable=not show, file=sys.stderr, desc="grading") as bar:

        def started(index: int, of: int, name: str) -> None:
            bar.total = of
            bar.n = index - 1
            bar.set_postfix_str(name)

        result = _safe(sub, registry, timeout, limits, started)
        bar.n = bar.total or 0
        bar.set_postfix_str(f"{result.score}/{result.max_score}")
    if on_done is not None:
        on_done(result)
    return result


def merge_reports(paths: Iterable[Path]) -> list[SubmissionScore]:
    """Every submission of the JSON reports at ``paths``, by learner. A learner in two reports is an error (shards of
    one cohort never overlap): :class:`ReportError` names both files."""
    from grader.grade.reports._json import read_json

    found: dict[str, tuple[Path, SubmissionScore]] = {}
    for path in paths:
        for sub in read_json(path):
            if sub.learner in found:
                raise ReportError(
                    f"learner {sub.learner!r} is in both {found[sub.learner][0]} and {path}: merge each shard's "
                    "report once"
                )
            found[sub.learner] = (path, sub)
    return [sub for _, sub in sorted(found.values(), key=lambda item: item[1].learner)]
