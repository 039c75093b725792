"""The workbook in JupyterLab, in a real (headless) chromium: what a learner sees.

- the server, set up as Binder sets it up (the repository's ``postBuild``), opens on the course's first page, and Run
  All there runs the story cells and stops at the first exercise's check, rendered as feedback;
- in every learner notebook (built from solutions/ as ``make release`` does), running the setup cell and then the
  first exercise's check shows the check's feedback and a one-line error under it, never a traceback wall;
- every solution notebook runs top to bottom with no error output (but in cells tagged ``raises-exception``, which
  break on purpose), its widgets draw, and each ``check()`` shows a passing result;
- the URL ``make lab LAB_ARGS=--no-browser`` prints opens notebook 00, unmodified; the kit's ``weekfour/agent.py``
  opens from the file browser; every ``raises-exception`` cell has its note on the page, right above it;
- notebook 04's widgets: a dropdown change and a slider move each update the one summary they show, with no stale
  copy left under them.

Screenshots of each notebook and of its first check cell go to ``tests/browser/artifacts/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest

from ._lab import LabServer
from ._page import (
    CellView,
    cell_node,
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
_PRINTED_URL = re.compile(r"(http://127\.0\.0\.1:\d+/\S*)")
_NOTE = re.compile(r"^⚠️ (The next cell fails on purpose\.|The next cell needs your exercises? )")
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
    _assert_raises_cells_marked(name, cells)
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


def _printed_urls(lab: LabServer) -> list[str]:
    return _PRINTED_URL.findall(lab.log_tail(200))


_JS_SETTLED_CLEAN: Final = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.sessionContext.session.kernel.info;  // JupyterLab writes the kernel's metadata once this resolves
  await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const tab = document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty');
  return {dirty: panel.context.model.dirty, tabDirty: !!tab};
}"""


def test_the_url_printed_with_no_browser_opens_the_first_page_unmodified(
    page: Page, lab: LabServer, artifacts: Path
) -> None:
    urls = _printed_urls(lab)
    assert urls, f"the server printed no URL: {lab.log_tail(20)}"
    printed = urls[-1]
    assert printed.startswith(f"{lab.url}/lab/tree/{FIRST_PAGE}"), f"make lab --no-browser printed {printed}"
    page.goto(printed, wait_until="domcontentloaded")
    wait_opened(page, FIRST_PAGE)
    state = page.evaluate(_JS_SETTLED_CLEAN)
    page.screenshot(path=str(artifacts / "printed-url.png"))
    assert state == {"dirty": False, "tabDirty": False}, f"{FIRST_PAGE} shows as modified right after opening"
    top = page.evaluate(
        "async () => (await window.jupyterapp.serviceManager.contents.get('')).content.map(item => item.name)"
    )
    assert {"notebooks", "weekfour"} <= set(top), f"the server's root is not the course's top folder: {top}"
    close_notebook(page)


def test_the_kits_agent_opens_from_the_file_browser(page: Page, lab: LabServer, artifacts: Path) -> None:
    page.goto(f"{lab.url}/lab?reset", wait_until="domcontentloaded")  # the lab, its file browser at the top folder
    listing = page.locator(".jp-FileBrowser .jp-DirListing-itemText")
    listing.get_by_text("weekfour", exact=True).dblclick(timeout=60_000)
    listing.get_by_text("agent.py", exact=True).dblclick()
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return !!w && !!w.context && w.context.path === 'weekfour/agent.py' && w.context.isReady; }",
        timeout=30_000,
    )
    text = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.toString()")
    page.screenshot(path=str(artifacts / "agent-py.png"))
    assert "class SupportAgent" in text, "weekfour/agent.py opened without its code"
    assert page.locator(".jp-FileEditor .cm-content").first.is_visible()


def _assert_raises_cells_marked(name: str, cells: list[CellView]) -> None:
    """Every raises-exception cell has, right above it, a note on the page saying why it fails."""
    for cell in cells:
        if cell.kind == "code" and "raises-exception" in cell.tags:
            above = cells[cell.index - 1]
            assert above.kind == "markdown" and _NOTE.match(above.rendered.strip()), (
                f"{name}: {cell.describe()} fails on purpose or needs an exercise, and the page says nothing above "
                f"it (it shows {above.rendered.strip()[:120]!r})"
            )


_JS_WIDGET_STATE: Final = """(node) => ({
  text: node.querySelector('.jp-Cell-outputWrapper').innerText,
  tables: node.querySelectorAll('.jp-Cell-outputWrapper table').length,
  images: node.querySelectorAll('.jp-Cell-outputWrapper img').length,
  busy: Array.from(node.querySelectorAll('.widget-html')).map(h => h.innerText).join(' '),
  selectDisabled: !!(node.querySelector('select') || {}).disabled,
  labelCut: Array.from(node.querySelectorAll('.widget-label')).some(l => l.scrollWidth > l.clientWidth + 1),
})"""


def _widget_state(page: Page, index: int) -> dict[str, object]:
    return page.evaluate(_JS_WIDGET_STATE, cell_node(page, index))


def _cell_index(cells: list[CellView], needle: str, *, tag: str | None = None) -> int:
    return next(c.index for c in cells if c.kind == "code" and needle in c.source and (tag is None or tag in c.tags))


def test_notebook_04s_widgets_update_one_summary_with_no_stale_copy(
    page: Page, lab: LabServer, artifacts: Path
) -> None:
    path = "solutions/04-fallbacks.ipynb"
    open_notebook(page, lab.url, path)
    cells = read_cells(page)
    setup = next(c.index for c in cells if c.kind == "code")
    explorer = _cell_index(cells, "FaultExplorer(")
    breaker = _cell_index(cells, "class CircuitBreaker", tag="solution")
    playground = _cell_index(cells, "BreakerPlayground(")
    for index in (setup, explorer, breaker, playground):
        run_cell(page, index)
    wait_for_widget_views(page)

    first = _widget_state(page, explorer)
    assert first["tables"] == 1 and first["images"] == 1, first
    assert "NightReport(" not in str(first["text"]) and not first["labelCut"], first
    select = cell_node(page, explorer).query_selector("select")
    assert select is not None, "the explorer shows no dropdown"
    select.select_option("503 outage at 03:00")
    page.wait_for_function(
        "([node, before]) => { const t = node.querySelector('.jp-Cell-outputWrapper').innerText;"
        " return t !== before && !node.querySelector('select').disabled && t.includes('of the 500s'); }",
        arg=[cell_node(page, explorer), first["text"]],
        timeout=60_000,
    )
    changed = _widget_state(page, explorer)
    screenshot_cell(page, explorer, artifacts / "widget-fault-explorer.png")
    assert changed["tables"] == 1 and changed["images"] == 1, f"a stale copy stays under the explorer: {changed}"
    assert str(changed["text"]).count("of the 500s") == 1 and "NightReport(" not in str(changed["text"]), changed

    summary = "calls during the outage went to the dead provider"
    before = _widget_state(page, playground)
    assert str(before["text"]).count(summary) == 1, f"the playground shows its summary more than once: {before}"
    handle = cell_node(page, playground).query_selector(".noUi-handle")
    assert handle is not None, "the playground shows no slider"
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([node, before]) => node.querySelector('.jp-Cell-outputWrapper').innerText !== before",
        arg=[cell_node(page, playground), before["text"]],
        timeout=30_000,
    )
    moved = _widget_state(page, playground)
    screenshot_cell(page, playground, artifacts / "widget-breaker-playground.png")
    close_notebook(page)
    assert str(moved["text"]).count(summary) == 1, f"after a slider move, more than one summary: {moved['text']!r}"
    assert moved["images"] == 1 and not moved["labelCut"], moved
