"""The release build: ``solutions/`` → ``notebooks/`` through a declared list of small notebook-to-notebook steps.

Before the steps, cells of a source notebook that bring in other notebooks' solutions are regenerated in the source
itself (``_bring``): they are copies, and copies drift. Order matters: validate first (every later step trusts the tags
and ids); mark raises-exception cells while the solutions are still there (the note names the exercises a cell needs,
read from the names the solutions define); clear solutions before outputs (a solution's printed output would
otherwise ship); lock checks last, once the cells are final.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader._cells import notebook_number
from grader._nbio import Notebook, NotebookError, dumps_notebook, load_notebook
from grader._registry import CheckRegistry
from grader.release._bring import fill_brought
from grader.release._clear_outputs import clear_outputs
from grader.release._clear_solutions import clear_solutions
from grader.release._context import AuthoringError, BuildContext
from grader.release._lock_checks import lock_checks
from grader.release._mark_raises import mark_raises
from grader.release._points import points_table, render_points_table
from grader.release._story import render_story_table, story_table
from grader.release._validate import validate

__all__ = ["STEPS", "ReleaseReport", "build_notebook", "release"]

Step = Callable[[Notebook, BuildContext], Notebook]

STEPS: tuple[Step, ...] = (validate, mark_raises, clear_solutions, clear_outputs, lock_checks)


def build_notebook(nb: Notebook, ctx: BuildContext) -> Notebook:
    """Run every step on a copy of ``nb``; raises :class:`AuthoringError` on an authoring mistake."""
    out = copy.deepcopy(nb)
    for step in STEPS:
        out = step(out, ctx)
    return out


@dataclass(slots=True)
class ReleaseReport:
    built: list[str] = field(default_factory=list)  # notebook names written (or that would be)
    differences: list[str] = field(default_factory=list)  # with check=True: what differs from the committed files
    problems: list[str] = field(default_factory=list)  # authoring mistakes: nothing was written when non-empty


def _in_step(path: Path | None, text: str | None) -> bool:
    return path is None or text is None or (path.is_file() and path.read_text(encoding="utf-8") == text)


def release(
    source: Path,
    dest: Path,
    *,
    registry: CheckRegistry,
    check: bool = False,
    points: Path | None = None,
    story: Path | None = None,
) -> ReleaseReport:
    """Build every ``source/*.ipynb`` into ``dest``; with ``check``, compare instead of writing. ``points``: the
    points table (``_points``) to keep in step with the built notebooks' checks; ``story``: the story table
    (``_story``) to keep in step with their story cells."""
    report = ReleaseReport()
    built: dict[str, str] = {}
    built_by_number: dict[int, Notebook] = {}
    numbers: list[int] = []
    regenerated: dict[Path, str] = {}  # source notebooks whose brought-in cells changed (see _bring)
    for path in sorted(source.glob("*.ipynb")) if source.is_dir() else []:
        number = notebook_number(path.name)
        if number is None:
            report.problems.append(f"{path.name}: name it NN-title.ipynb (NN is the notebook number, e.g. 01)")
            continue
        numbers.append(number)
        try:
            nb = load_notebook(path)
            if fill_brought(nb, source):
                regenerated[path] = dumps_notebook(nb)
            built_by_number[number] = build_notebook(nb, BuildContext(path.name, number, registry))
            built[path.name] = dumps_notebook(built_by_number[number])
        except (NotebookError, AuthoringError) as exc:
            report.problems.extend(str(exc).splitlines())
        except LookupError as exc:
            report.problems.append(f"{path.name}: {exc}")
    if report.problems:
        return report
    report.built = sorted(built)
    table = render_points_table(points_table(registry, numbers)) if points is not None else None
    stories = render_story_table(story_table(built_by_number)) if story is not None else None
    if check:
        if points is not None and not _in_step(points, table):
            report.differences.append(f"{points.name} is out of step with the checks' points")
        if story is not None and not _in_step(story, stories):
            report.differences.append(f"{story.name} is out of step with the notebooks' story cells")
        for path in regenerated:
            report.differences.append(
                f"{source.name}/{path.name} brings in solutions that changed since its cells were generated"
            )
        for name, text in built.items():
            target = dest / name
            if not target.is_file():
                report.differences.append(f"{dest.name}/{name} is missing")
            elif target.read_text(encoding="utf-8") != text:
                report.differences.append(f"{dest.name}/{name} differs from a fresh build of {source.name}/{name}")
        for extra in sorted(dest.glob("*.ipynb")) if dest.is_dir() else []:
            if extra.name not in built:
                report.differences.append(f"{dest.name}/{extra.name} has no source in {source.name}/")
        return report
    for path, text in regenerated.items():
        path.write_text(text, encoding="utf-8")
    for table_path, table_text in ((points, table), (story, stories)):
        if table_path is not None and table_text is not None and not _in_step(table_path, table_text):
            table_path.write_text(table_text, encoding="utf-8")
    dest.mkdir(parents=True, exist_ok=True)
    for name, text in built.items():
        target = dest / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return report
