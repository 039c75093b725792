"""``python -m grader merge`` and ``python -m grader classroom``: the verbs that read JSON reports back.

``merge REPORT.json... --json OUT [--csv] [--markdown DIR] [--html] [--junit]`` joins the reports of a cohort graded in
shards into one, and writes every other report from it as ``grade`` would have. ``classroom exercise REPORT N.M`` is
one GitHub Classroom test; ``classroom workflow [--check]`` writes (or checks) ``.github/workflows/classroom.yml``.
Exit codes as ``grade``'s: 0 done, 1 not passed / out of step, 2 could not run (a missing or foreign report).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from grader._registry import CheckRegistry
from grader.grade._results import ReportError, SubmissionScore

__all__ = ["classroom_command", "merge_command", "write_reports"]

EXIT_OK, EXIT_BELOW, EXIT_UNUSABLE = 0, 1, 2
_WORKFLOW: Final = Path(".github") / "workflows" / "classroom.yml"


def write_reports(results: list[SubmissionScore], args: argparse.Namespace) -> None:
    """Every report file the options ask for (``json``, ``junit``, ``markdown``, ``csv``, ``html``)."""
    from grader.grade.reports import write_csv, write_html, write_json, write_junit, write_markdown

    if getattr(args, "json", None):
        write_json(results, args.json)
    if getattr(args, "junit", None):
        write_junit(results, args.junit)
    if getattr(args, "markdown", None):
        write_markdown(results, args.markdown)
    if getattr(args, "csv", None):
        write_csv(results, args.csv)
    if getattr(args, "html", None):
        write_html(results, args.html, feedback=getattr(args, "markdown", None))


def merge_command(args: argparse.Namespace) -> int:
    from grader.grade._cohort import merge_reports
    from grader.grade.reports import write_job_summary

    try:
        results = merge_reports(args.reports)
    except ReportError as exc:
        print(f"Could not merge: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    write_reports(results, args)
    write_job_summary(results)
    graded = sum(1 for r in results if not r.ungradable)
    print(f"merged {len(results)} submissions ({graded} graded) from {len(args.reports)} reports")
    return EXIT_OK


def classroom_command(args: argparse.Namespace) -> int:
    from grader.grade.reports._classroom import classroom_exercises, classroom_workflow, exercise_verdict

    if args.action == "exercise":
        code, text = exercise_verdict(args.report, args.exercise)
        print(text)
        return code
    source: Path = args.source
    if not source.is_dir():
        print(
            f"--source {source} is not a folder of notebooks: run this from the course's top folder.", file=sys.stderr
        )
        return EXIT_UNUSABLE
    target: Path = args.out or _WORKFLOW
    text = classroom_workflow(classroom_exercises(CheckRegistry(args.checks), source.glob("*.ipynb")))
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is out of step with the checks: run `python -m grader classroom workflow`.")
            return EXIT_BELOW
        print(f"{target} is in step with the checks.")
        return EXIT_OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return EXIT_OK
