"""``python -m grader`` — the command line: ``release``, ``grade``, ``mutants``, ``merge``, ``classroom``,
``template`` and ``reset``, thin wrappers over the packages.

Exit codes: 0 done (graded, or built / in step); 1 graded but below ``--fail-under`` (or ``release --check`` found
differences, or an authoring mistake stopped the build); 2 could not run (usage, missing paths, broken checks).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from grader._registry import CheckRegistry, ChecksError

__all__ = ["main"]

EXIT_OK, EXIT_BELOW, EXIT_UNUSABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description="Week Four: release notebooks, grade work.")
    sub = parser.add_subparsers(dest="command", required=True)

    rel = sub.add_parser("release", help="build notebooks/ from solutions/")
    rel.add_argument("--source", type=Path, default=Path("solutions"), help="authored notebooks (default solutions/)")
    rel.add_argument("--dest", type=Path, default=Path("notebooks"), help="learner notebooks (default notebooks/)")
    rel.add_argument("--check", action="store_true", help="write nothing; exit 1 when DEST differs from a fresh build")
    rel.add_argument("--checks", type=Path, action="append", default=[], metavar="DIR", help="extra checks folder")

    grade = sub.add_parser("grade", help="grade one submission or a cohort")
    grade.add_argument("paths", type=Path, nargs="*", metavar="PATH", help="submission folders or notebooks")
    grade.add_argument("--source", type=Path, default=None, help="the notebooks a submission must have (solutions/)")
    grade.add_argument("--checks", type=Path, action="append", default=[], metavar="DIR", help="private checks folder")
    grade.add_argument("--timeout", type=float, default=30.0, help="seconds per cell (default 30)")
    grade.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: CPUs)")
    grade.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the JSON report")
    grade.add_argument("--junit", type=Path, default=None, metavar="PATH", help="write JUnit XML")
    grade.add_argument("--markdown", type=Path, default=None, metavar="DIR", help="write LEARNER.md feedback files")
    grade.add_argument("--csv", type=Path, default=None, metavar="PATH", help="write the cohort gradebook")
    grade.add_argument("--html", type=Path, default=None, metavar="PATH", help="write the cohort report (HTML)")
    grade.add_argument("--fail-under", type=float, default=None, metavar="PCT", help="exit 1 below this percentage")
    grade.add_argument("--quiet", action="store_true", help="print only the Points line")
    grade.add_argument(
        "--memory", type=float, default=4.0, metavar="GIB", help="memory ceiling per kernel, GiB (default 4; 0: none)"
    )
    grade.add_argument(
        "--uncontained", action="store_true", help="run kernels without Landlock (a learner's own machine only)"
    )
    grade.add_argument(
        "--full",
        action="store_true",
        help="run every cell of each notebook (default: leave out story cells no check depends on)",
    )
    grade.add_argument(
        "--require-contained",
        action="store_true",
        help="exit 2 unless kernels can run contained (Linux Landlock): for cohort grading and CI",
    )
    mut = sub.add_parser("mutants", help="measure check strength on mutants of the solutions")
    mut.add_argument("exercises", nargs="*", metavar="EXERCISE", help="exercise ids, e.g. 4.2 (default: all)")
    mut.add_argument("--source", type=Path, default=Path("solutions"), help="authored notebooks (default solutions/)")
    mut.add_argument("--checks", type=Path, action="append", default=[], metavar="DIR", help="extra checks folder")
    mut.add_argument("--hidden", action="store_true", help="run hidden checks too (default: public checks only)")
    mut.add_argument("--seeds", default="1,2", help="comma-separated seeds; a mutant must fail on each (default 1,2)")
    mut.add_argument("--sample", type=int, default=None, metavar="N", help="only N mutants per exercise")
    mut.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    mut.add_argument("--timeout", type=float, default=20.0, help="seconds per mutant before it counts as killed")
    mut.add_argument("--fail-under", type=float, default=90.0, metavar="PCT", help="exit 1 below this (default 90)")
    mut.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the scores as JSON")
    merge = sub.add_parser("merge", help="join the JSON reports of a cohort graded in shards")
    merge.add_argument("reports", type=Path, nargs="+", metavar="REPORT", help="JSON reports written by grade --json")
    merge.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the joined report")
    merge.add_argument("--csv", type=Path, default=None, metavar="PATH", help="write the cohort gradebook")
    merge.add_argument("--junit", type=Path, default=None, metavar="PATH", help="write JUnit XML")
    merge.add_argument("--markdown", type=Path, default=None, metavar="DIR", help="write LEARNER.md feedback files")
    merge.add_argument("--html", type=Path, default=None, metavar="PATH", help="write the cohort report (HTML)")
    room = sub.add_parser("classroom", help="GitHub Classroom: one exercise's test, or its workflow")
    room_sub = room.add_subparsers(dest="action", required=True)
    one = room_sub.add_parser("exercise", help="exit 0 when EXERCISE passed in REPORT")
    one.add_argument("report", type=Path, metavar="REPORT")
    one.add_argument("exercise", metavar="EXERCISE")
    flow = room_sub.add_parser("workflow", help="write .github/workflows/classroom.yml from the checks")
    flow.add_argument("--check", action="store_true", help="write nothing; exit 1 when it is out of step")
    flow.add_argument("--source", type=Path, default=Path("notebooks"), help="the notebooks (default notebooks/)")
    flow.add_argument("--checks", type=Path, action="append", default=[], metavar="DIR", help="extra checks folder")
    flow.add_argument("--out", type=Path, default=None, metavar="PATH", help="the workflow file to write")
    tpl = sub.add_parser("template", help="write the learner template repository into DEST")
    tpl.add_argument("dest", type=Path, metavar="DEST", help="a new (or empty) folder")
    rst = sub.add_parser("reset", help="put one exercise back to its stub (a backup keeps what it replaces)")
    rst.add_argument("notebook", type=Path, metavar="NOTEBOOK", help="e.g. notebooks/04-fallbacks.ipynb (or 04)")
    rst.add_argument("exercise", metavar="EXERCISE", help="e.g. 4.2")
    rst.add_argument("--from", dest="source", type=Path, default=None, metavar="PATH", help="the released notebook")
    return parser


def _reset(args: argparse.Namespace) -> int:
    from grader.reset._command import run

    return run(args.notebook, args.exercise, source=args.source)


def _merge(args: argparse.Namespace) -> int:
    from grader.grade.reports._commands import merge_command

    return merge_command(args)


def _classroom(args: argparse.Namespace) -> int:
    from grader.grade.reports._commands import classroom_command

    return classroom_command(args)


def _template(args: argparse.Namespace) -> int:
    from grader.template import TemplateError, write_template

    try:
        report = write_template(args.dest)
    except TemplateError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNUSABLE
    worth = f"public checks worth {report.public_points} of {report.full_points} points"
    print(f"wrote the learner template into {args.dest}/ ({len(report.files)} files; {worth}).")
    return EXIT_OK


def _mutants(args: argparse.Namespace) -> int:
    from grader.mutate._command import run

    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        seeds = []
    if not seeds or args.jobs < 1 or args.timeout <= 0 or (args.sample is not None and args.sample < 1):
        print("--seeds takes whole numbers like 1,2; --jobs, --timeout and --sample must be positive.", file=sys.stderr)
        return EXIT_UNUSABLE
    if not args.source.is_dir():
        where = f"--source {args.source} is not a folder"
        print(f"{where}: run this from the course repository's top folder.", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        return run(
            args.exercises,
            solutions=args.source,
            registry=CheckRegistry(args.checks),
            include_hidden=args.hidden,
            seeds=seeds,
            sample=args.sample,
            parallel=args.jobs,
            timeout=args.timeout,
            fail_under=args.fail_under,
            json_path=args.json,
        )
    except (LookupError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNUSABLE


def _release(args: argparse.Namespace) -> int:
    from grader.release import course_points_table, course_story_table, release

    registry = CheckRegistry(args.checks)
    points, story = course_points_table(args.source), course_story_table(args.source)
    report = release(args.source, args.dest, registry=registry, check=args.check, points=points, story=story)
    if report.problems:
        print("The build stopped on authoring mistakes:", file=sys.stderr)
        for problem in report.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_BELOW
    if args.check:
        if report.differences:
            for line in report.differences:
                print(f"  - {line}", file=sys.stderr)
            print(f"{args.dest}/ is out of step with {args.source}/: run `make release` and commit.", file=sys.stderr)
            return EXIT_BELOW
        print(f"{args.dest}/ is in step with {args.source}/ ({len(report.built)} notebooks).")
        return EXIT_OK
    print(f"built {len(report.built)} notebooks into {args.dest}/")
    return EXIT_OK


def _grade(args: argparse.Namespace) -> int:
    from grader.grade import main as grade

    return grade(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        commands = {"release": _release, "grade": _grade, "mutants": _mutants, "merge": _merge}
        commands |= {"classroom": _classroom, "template": _template, "reset": _reset}
        return commands[args.command](args)
    except ChecksError as exc:
        print(f"The checks could not be loaded: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith(("grader.release", "grader.mutate", "grader.template")):
            raise
        where = "it runs in the course repository, not in the learner template"
        print(f"`{args.command}` is an instructor's command: {where}.", file=sys.stderr)
        return EXIT_UNUSABLE
