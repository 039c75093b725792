"""``python -m grader grade`` once its options are parsed: check them, grade, write the reports, decide the exit code.

Exit codes: 0 graded; 1 graded, but some submission is below ``--fail-under``; 2 could not grade (missing paths,
options out of range, ``--require-contained`` where kernels cannot run contained, or an ungradable submission —
nothing ungradable is a pass).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from grader._registry import CheckRegistry
from grader.grade._cohort import grade_cohort
from grader.grade._contain import containment
from grader.grade._execute import Limits
from grader.grade._results import SubmissionScore
from grader.grade._submission import find_submission

__all__ = ["EXIT_BELOW", "EXIT_OK", "EXIT_UNUSABLE", "exit_code", "main"]

EXIT_OK, EXIT_BELOW, EXIT_UNUSABLE = 0, 1, 2


def main(args: argparse.Namespace) -> int:
    """Grade what ``args`` (the ``grade`` command's options) name; print and write the reports; the exit code."""
    from grader.grade.reports import classroom_line, print_cohort, print_submission, write_job_summary
    from grader.grade.reports._commands import write_reports

    paths: list[Path] = args.paths or [Path("notebooks")]
    source = args.source if args.source is not None else Path("solutions")
    problems = _usage_problems(paths, args, source)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_UNUSABLE
    expected = sorted(p.name for p in source.glob("*.ipynb")) if source.is_dir() else []
    registry = CheckRegistry(args.checks)
    submissions = [find_submission(p, expected) for p in paths]
    if args.require_contained and (args.uncontained or not containment().files):
        why = "--uncontained was given" if args.uncontained else containment().describe()
        print(f"Could not grade: --require-contained, but {why}.", file=sys.stderr)
        return EXIT_UNUSABLE
    limits = Limits(memory=int(args.memory * 1024**3), contain=not args.uncontained, full=args.full)
    if args.uncontained or not containment().files:
        reason = "kernels run UNCONTAINED (--uncontained)" if args.uncontained else containment().describe()
        print(f"Note: {reason}", file=sys.stderr)
    results = grade_cohort(submissions, registry=registry, timeout=args.timeout, jobs=args.jobs, limits=limits)
    if not args.quiet:
        if len(results) == 1:
            print_submission(results[0])
        else:
            print_cohort(results)
    write_reports(results, args)
    write_job_summary(results)
    print(classroom_line(results))
    return exit_code(results, fail_under=args.fail_under)


def exit_code(results: Sequence[SubmissionScore], *, fail_under: float | None = None) -> int:
    """2 when a submission could not be graded (said on stderr), 1 when one is below ``fail_under`` percent, else 0."""
    ungradable = [r for r in results if r.ungradable]
    if ungradable:
        names = ", ".join(sorted(r.learner for r in ungradable))
        print(f"Could not grade: {names}. See the messages above; nothing ungradable is a pass.", file=sys.stderr)
        return EXIT_UNUSABLE
    if fail_under is not None and any(r.percent < fail_under for r in results):
        return EXIT_BELOW
    return EXIT_OK


def _usage_problems(paths: Sequence[Path], args: argparse.Namespace, source: Path) -> list[str]:
    """What stops grading before it starts, each with what to do instead; the first kind found only."""
    missing = [f"{p} does not exist: pass submission folders or .ipynb files." for p in paths if not p.exists()]
    if missing:
        return missing
    if args.timeout <= 0 or (args.jobs is not None and args.jobs < 1) or args.memory < 0:
        return ["--timeout must be > 0, --jobs >= 1 and --memory >= 0."]
    if args.source is not None and not source.is_dir():
        return [f"--source {source} is not a folder."]
    return []
