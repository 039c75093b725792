"""The workbook in JupyterLab, in a real (headless) chromium: what a learner sees.

- the server, set up as Binder sets it up (the repository's ``postBuild``), opens on the course's first page, and Run
  All there runs the story cells and stops at the first exercise's check, rendered as feedback;
- in every learner notebook (built from solutions/ as ``make release`` does), running the setup cell and then the
  first exercise's check shows the check's feedback and a one-line error under it, never a traceback wall;
- every solution notebook runs top to bottom with no error output (but in cells tagged ``raises-exception``, which
  break on purpose), its widgets draw, and each ``check()`` shows a passing result.

Screenshots of each notebook and of its first check cell go to ``tests/browser/artifacts/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ._lab import LabServer
from ._page import (
    CellView,
    check_id,
    close_notebook,
    open_notebook,
    read_cells,
    run_all,
    run_cell,
    screenshot_cell,
    wait_opened,
)
from ._page import wait_for_widgets as wait_for_widget_views
from .conftest import ROOT, solution_notebooks

if TYPE_CHECKING:
    from playwright.sync_api import Page

FIRST_PAGE = "notebooks/00-start-here.ipynb"
_USES_WIDGETS = re.compile(r"\bipywidgets\b|\bwidgets\.")


def _run_notebook(page: Page, lab: LabServer, path: str) -> list[CellView]:
    open_notebook(page, lab.url, path)
    run_all(page)
    wait_for_widget_views(page)
    return read_cells(page)


def _where(cells: list[CellView]) -> str:
    return ", ".join(c.describe() for c in cells)


def _save_pictures(page: Page, artifacts: Path, name: str, check_cell: CellView | None) -> None:
    """The check cell alone, then the page scrolled to it."""
    if check_cell is not None:
        screenshot_cell(page, check_cell.index, artifacts / f"{name}-check.png")
    page.screenshot(path=str(artifacts / f"{name}.png"))


def _assert_check_feedback(name: str, checked: CellView) -> None:
    """A failing check cell as a learner should meet it: the feedback, then one line naming the exercise."""
    exercise = check_id(checked)
    assert checked.execution_count is not None, f"{name}: check({exercise!r}) did not run"
    assert checked.errors, f"{name}: check({exercise!r}) passed in the learner notebook, whose exercises are stubs"
    feedback = "\n".join(o.text for o in checked.outputs if not o.is_error)
    assert f"Exercise {exercise}" in feedback, f"{name}: check({exercise!r}) rendered no feedback: {feedback[:300]!r}"
    assert "not attempted" in feedback or "not yet" in feedback, f"{name}: the feedback does not say what is missing"
    assert "(0/" in feedback, f"{name}: the feedback does not show the points at stake: {feedback[:300]!r}"

    (error,) = checked.errors
    lines = [line for line in error.text.splitlines() if line.strip()]
    assert len(error.traceback) <= 2 and len(lines) <= 2, (
        f"{name}: check({exercise!r}) shows a traceback wall under its feedback: {error.text[:500]!r}"
    )
    assert "Traceback" not in error.text and 'File "' not in error.text, error.text[:500]
    assert f"Exercise {exercise}" in error.text, f"{name}: the error line should name the exercise: {error.text!r}"


def _first_heading(notebook: Path) -> str:
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for line in source.splitlines():
            if cell["cell_type"] == "markdown" and line.startswith("# "):
                return line[2:].strip()
    raise AssertionError(f"{notebook} has no '# ' heading")


def test_server_set_up_as_binder_does_opens_the_first_page_and_run_all_reaches_its_check(
    page: Page, lab: LabServer, artifacts: Path
) -> None:
    # First in the module: the server's default workspace is still empty, so "/" opens only the first page.
    page.goto(f"{lab.url}/", wait_until="domcontentloaded")
    wait_opened(page, FIRST_PAGE)
    assert page.url.endswith(f"/lab/tree/{FIRST_PAGE}"), page.url
    heading = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput h1").first
    assert heading.inner_text().strip() == _first_heading(ROOT / "solutions" / Path(FIRST_PAGE).name)

    run_all(page)
    cells = read_cells(page)
    first_check = next((c for c in cells if check_id(c) is not None), None)
    assert first_check is not None, f"{FIRST_PAGE} has no check(...) cell"
    _save_pictures(page, artifacts, "first-page", first_check)
    close_notebook(page)

    story = [c for c in cells[: first_check.index] if c.kind == "code" and "solution" not in c.tags]
    broken = [c for c in story if c.errors or c.execution_count is None]
    assert not broken, f"{FIRST_PAGE}: Run All did not run these cells cleanly: {_where(broken)}"
    _assert_check_feedback(FIRST_PAGE, first_check)


@pytest.mark.parametrize("name", solution_notebooks())  # the learner notebooks have the same names
def test_learner_notebook_shows_check_feedback_not_a_traceback(
    page: Page, lab: LabServer, artifacts: Path, name: str
) -> None:
    open_notebook(page, lab.url, f"notebooks/{name}")
    cells = read_cells(page)
    setup = next((c for c in cells if c.kind == "code"), None)
    first_check = next((c for c in cells if check_id(c) is not None), None)
    assert setup is not None and first_check is not None, f"{name}: no code cell or no check(...) cell"
    # A learner's first moves: the setup cell, then (exercise not written yet) the check under the first exercise.
    run_cell(page, setup.index)
    run_cell(page, first_check.index)
    cells = read_cells(page)
    _save_pictures(page, artifacts, f"learner-{Path(name).stem}", cells[first_check.index])
    close_notebook(page)

    assert not cells[setup.index].errors, f"{name}: the setup cell raised: {cells[setup.index].text[:300]!r}"
    _assert_check_feedback(name, cells[first_check.index])


@pytest.mark.parametrize("name", solution_notebooks())
def test_solution_notebook_runs_clean_with_widgets_and_passing_checks(
    page: Page, lab: LabServer, artifacts: Path, name: str
) -> None:
    cells = _run_notebook(page, lab, f"solutions/{name}")
    code = [c for c in cells if c.kind == "code"]
    checks = [c for c in code if check_id(c) is not None]
    _save_pictures(page, artifacts, f"solution-{Path(name).stem}", checks[0] if checks else None)
    first_widget = next((c for c in code if any(o.is_widget for o in c.outputs)), None)
    if first_widget is not None:
        screenshot_cell(page, first_widget.index, artifacts / f"solution-{Path(name).stem}-widget.png")
    close_notebook(page)

    assert code, f"{name}: the page shows no code cells"
    # A cell tagged raises-exception breaks on purpose ("production breaks it"); any other error is a bug.
    failing = [c for c in code if c.errors and "raises-exception" not in c.tags]
    assert not failing, f"{name}: error output in " + "; ".join(
        f"{c.describe()}: {c.errors[0].traceback[-1:] or c.errors[0].text[:200]}" for c in failing
    )
    not_run = [c for c in code if c.execution_count is None]
    assert not not_run, f"{name}: Run All did not reach {_where(not_run)}"

    widget_outputs = [(c, o) for c in code for o in c.outputs if o.is_widget]
    undrawn = [c for c, o in widget_outputs if not o.widget_drawn]
    assert not undrawn, f"{name}: a widget did not draw in {_where(undrawn)}"
    if any(_USES_WIDGETS.search(c.source) for c in code):
        assert widget_outputs, f"{name} builds ipywidgets, but no widget view reached the page"

    assert checks, f"{name} has no check(...) cell; every course notebook has at least one exercise"
    for cell in checks:
        exercise = check_id(cell)
        shown = cell.text
        assert f"Exercise {exercise}" in shown and "passed" in shown and "✓" in shown, (
            f"{name}: check({exercise!r}) did not show a passing result; the page shows {shown[:300]!r}"
        )
