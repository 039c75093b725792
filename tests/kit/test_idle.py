"""weekfour._idle: background work waits while a cell runs, and stops waiting when a cell waits for it."""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from weekfour import _idle
from weekfour.labs import fallbacks
from weekfour.serving import Served


class _Events:
    def __init__(self) -> None:
        self.callbacks: dict[str, list[Callable[..., Any]]] = {}

    def register(self, event: str, callback: Callable[..., Any]) -> None:
        self.callbacks.setdefault(event, []).append(callback)

    def trigger(self, event: str) -> None:
        for callback in self.callbacks.get(event, []):
            callback(None)


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A stand-in for the running IPython shell: only its events."""
    import IPython

    fake = types.SimpleNamespace(events=_Events())
    monkeypatch.setattr(IPython, "get_ipython", lambda: fake)
    monkeypatch.setattr(_idle, "_hooked", [])
    _idle.watch_cells()
    yield fake
    _idle._idle.set()


def _in_background(work: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_outside_ipython_nothing_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    _idle.watch_cells()
    _idle.wait_for_idle()  # returns at once


def test_background_work_waits_while_a_cell_runs_and_goes_on_after_it(shell: Any) -> None:
    done = threading.Event()
    shell.events.trigger("pre_run_cell")
    worker = _in_background(lambda: (_idle.wait_for_idle(poll=0.01), done.set()))
    assert not done.wait(0.2)  # the cell is still running
    shell.events.trigger("post_run_cell")
    assert done.wait(5)
    worker.join(5)


def test_a_cell_that_waits_for_the_work_lets_it_go_on(shell: Any) -> None:
    wanted = threading.Event()
    done = threading.Event()
    shell.events.trigger("pre_run_cell")
    _in_background(lambda: (_idle.wait_for_idle(wanted.is_set, poll=0.01), done.set()))
    assert not done.wait(0.1)
    wanted.set()
    assert done.wait(5)


def test_watching_the_same_shell_twice_hooks_it_once(shell: Any) -> None:
    _idle.watch_cells()
    assert len(shell.events.callbacks["pre_run_cell"]) == 1


def test_the_explorers_background_customers_wait_between_cells(shell: Any) -> None:
    served: list[str] = []

    def handler(text: str) -> Served:
        served.append(text)
        return Served("ok", "primary", None)

    paced = fallbacks._between_cells(handler, give_up=lambda: False)
    shell.events.trigger("pre_run_cell")
    worker = _in_background(lambda: (paced("first"), None)[1])
    worker.join(0.2)
    assert served == []
    shell.events.trigger("post_run_cell")
    worker.join(5)
    assert served == ["first"]


def test_finish_warming_lets_the_background_go_on_while_a_cell_waits_for_it(shell: Any) -> None:
    explorer = fallbacks.FaultExplorer(n=5)
    customers: list[str] = []
    explorer.handlers = {"counting": lambda sb: lambda text: (customers.append(text), Served("ok", "primary", None))[1]}
    explorer.precompute = True
    shell.events.trigger("pre_run_cell")  # the cell that shows the widget, then waits for the background
    explorer.widget()
    explorer.finish_warming(timeout=60)
    assert explorer._warming is not None and not explorer._warming.is_alive()
    assert set(explorer._cache) == set(explorer.modes)
