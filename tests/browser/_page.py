"""Driving one notebook in JupyterLab the way a learner does, and reading back what the page shows.

``open_notebook`` loads it and waits for its kernel; ``run_all`` uses the Run menu; ``read_cells`` returns, for every
cell, what the page rendered (text, whether each widget view drew) beside what the cell's model holds (output types,
error tracebacks, tags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from playwright.sync_api import ElementHandle, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

__all__ = [
    "WIDGET_MIME",
    "CellView",
    "OutputView",
    "cell_node",
    "check_id",
    "close_notebook",
    "open_notebook",
    "read_cells",
    "run_all",
    "run_cell",
    "screenshot_cell",
    "wait_opened",
]

WIDGET_MIME: Final = "application/vnd.jupyter.widget-view+json"
_CHECK_SOURCE: Final = re.compile(r"""^\s*check\(\s*["']([0-9.]+)["']\s*\)\s*$""")

_JS_OPENED: Final = """(path) => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.context || panel.context.path !== path || !panel.content) return false;
  const kernel = panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && panel.content.widgets.length > 0;
}"""

# Running cells is a command whose promise settles when its cells have run, or as soon as one of them raised; cells sent
# after that one may still be queued in the kernel (with their "[*]" cleared). So: listen for the command before the
# click or key press, wait for it, then send the kernel an empty silent request, which it answers only after
# everything queued before it.
_JS_LISTEN_RUN: Final = """(commandId) => {
  const app = window.jupyterapp;
  window.__runAllState = 'waiting';
  const drain = async () => {
    const kernel = app.shell.currentWidget.sessionContext.session.kernel;
    await kernel.requestExecute({code: '', silent: true, store_history: false}).done;
    window.__runAllState = 'done';
  };
  const listener = (_, executed) => {
    if (executed.id !== commandId) return;
    app.commands.commandExecuted.disconnect(listener);
    window.__runAllState = 'running';
    Promise.resolve(executed.result).catch(() => false).then(drain).catch(
      error => { window.__runAllState = 'failed: ' + error; });
  };
  app.commands.commandExecuted.connect(listener);
}"""

_JS_RUN_FINISHED: Final = """() => {
  const state = window.__runAllState || '';
  if (state === 'waiting' || state === 'running') return false;
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""

_JS_WIDGETS_SETTLED: Final = """(mime) => {
  const panel = window.jupyterapp.shell.currentWidget;
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== 'code') continue;
    const nodes = cell.node.querySelectorAll('.jp-OutputArea-child');
    for (let i = 0; i < cell.model.outputs.length; i++) {
      const data = cell.model.outputs.get(i).data || {};
      if (!(mime in data)) continue;
      const node = nodes[i];
      if (!node || !node.querySelector('.jupyter-widgets')) return false;
    }
  }
  return true;
}"""

_JS_READ: Final = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.map((cell, index) => {
    const model = cell.model;
    const view = {index, kind: model.type, tags: model.getMetadata('tags') || [],
                  source: model.sharedModel.getSource(), executionCount: null, outputs: [], rendered: ''};
    if (model.type === 'markdown') {
      const shown = cell.node.querySelector('.jp-RenderedMarkdown');
      view.rendered = shown ? shown.innerText : '';
    }
    if (model.type !== 'code') return view;
    view.executionCount = model.executionCount;
    const nodes = cell.node.querySelectorAll('.jp-OutputArea-child');
    for (let i = 0; i < model.outputs.length; i++) {
      const output = model.outputs.get(i);
      const json = output.toJSON();
      const node = nodes[i];
      const widget = node ? node.querySelector('.jupyter-widgets:not(.widget-error)') : null;
      view.outputs.push({
        type: output.type,
        mimes: Object.keys(output.data || {}),
        text: node ? node.innerText : '',
        widgetDrawn: !!widget && widget.getBoundingClientRect().height > 0,
        traceback: json.output_type === 'error' ? (json.traceback || []) : [],
      });
    }
    return view;
  });
}"""


@dataclass(frozen=True, slots=True)
class OutputView:
    """One output of a cell: its model's type and mime types, and what the page shows for it."""

    type: str
    mimes: tuple[str, ...]
    text: str
    widget_drawn: bool
    traceback: tuple[str, ...]

    @property
    def is_error(self) -> bool:
        return self.type == "error"

    @property
    def is_widget(self) -> bool:
        return WIDGET_MIME in self.mimes


@dataclass(frozen=True, slots=True)
class CellView:
    """One cell as the page holds it after a run."""

    index: int
    kind: str
    tags: tuple[str, ...]
    source: str
    execution_count: int | None
    outputs: tuple[OutputView, ...]
    rendered: str = ""  # a markdown cell: the text the page shows for it

    @property
    def errors(self) -> list[OutputView]:
        return [o for o in self.outputs if o.is_error]

    @property
    def text(self) -> str:
        return "\n".join(o.text for o in self.outputs)

    def describe(self) -> str:
        first = self.source.strip().splitlines()[0] if self.source.strip() else "(empty)"
        return f"cell {self.index} ({first[:60]!r})"


def check_id(cell: CellView) -> str | None:
    """The exercise id of a ``check("1.2")`` cell, or None for any other cell."""
    match = _CHECK_SOURCE.match(cell.source) if cell.kind == "code" else None
    return match.group(1) if match else None


def open_notebook(page: Page, base_url: str, path: str, *, timeout_ms: float = 90_000) -> None:
    """Open ``path`` (relative to the server's root) in a fresh workspace and wait until its kernel is idle."""
    page.goto(f"{base_url}/lab/tree/{path}?reset", wait_until="domcontentloaded")
    wait_opened(page, path, timeout_ms=timeout_ms)


def wait_opened(page: Page, path: str, *, timeout_ms: float = 90_000) -> None:
    """Wait until ``path`` is the notebook in front, with its cells in the page and its kernel idle."""
    page.wait_for_function(_JS_OPENED, arg=path, timeout=timeout_ms)


def _wait_for_run(page: Page, timeout_ms: float) -> None:
    page.wait_for_function(_JS_RUN_FINISHED, timeout=timeout_ms)
    state = page.evaluate("() => window.__runAllState")
    if state != "done":
        raise RuntimeError(f"running cells did not complete in the page: {state}")


def run_all(page: Page, *, timeout_ms: float = 180_000) -> None:
    """Run > Run All Cells, then wait until every cell sent has run (Run All stops at the first error)."""
    page.evaluate(_JS_LISTEN_RUN, "notebook:run-all-cells")
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    _wait_for_run(page, timeout_ms)


def run_cell(page: Page, index: int, *, timeout_ms: float = 60_000) -> None:
    """Select cell ``index`` and press Shift+Enter, as a learner runs the check under an exercise."""
    page.evaluate(_JS_LISTEN_RUN, "notebook:run-cell-and-select-next")
    prompt = cell_node(page, index).query_selector(".jp-InputPrompt")
    if prompt is None:
        raise LookupError(f"cell {index} has no input prompt to click")
    prompt.click()
    page.keyboard.press("Shift+Enter")
    _wait_for_run(page, timeout_ms)


def cell_node(page: Page, index: int) -> ElementHandle:
    """The page element of cell ``index`` of the notebook in front."""
    handle = page.evaluate_handle("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node", index)
    cell = handle.as_element()
    if cell is None:
        raise LookupError(f"cell {index} is not in the page")
    return cell


def wait_for_widgets(page: Page, *, timeout_ms: float = 20_000) -> None:
    """Give widget views time to draw; a view that never draws is reported by :func:`read_cells`, not here."""
    try:
        page.wait_for_function(_JS_WIDGETS_SETTLED, arg=WIDGET_MIME, timeout=timeout_ms)
    except PlaywrightTimeoutError:
        pass


def read_cells(page: Page) -> list[CellView]:
    raw: list[dict[str, Any]] = page.evaluate(_JS_READ)
    return [
        CellView(
            index=c["index"],
            kind=c["kind"],
            tags=tuple(c["tags"]),
            source=c["source"],
            execution_count=c["executionCount"],
            outputs=tuple(
                OutputView(
                    type=o["type"],
                    mimes=tuple(o["mimes"]),
                    text=o["text"],
                    widget_drawn=o["widgetDrawn"],
                    traceback=tuple(o["traceback"]),
                )
                for o in c["outputs"]
            ),
            rendered=c["rendered"],
        )
        for c in raw
    ]


def screenshot_cell(page: Page, index: int, path: Path) -> None:
    """Scroll cell ``index`` into view and save a picture of it (input and outputs)."""
    cell = cell_node(page, index)
    cell.scroll_into_view_if_needed()
    cell.screenshot(path=str(path))


def close_notebook(page: Page) -> None:
    """Shut the notebook's kernel down so the next notebook has the CPU to itself."""
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
