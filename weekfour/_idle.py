"""Background work in a notebook waits while a cell runs: the kernel is the learner's, not the background's.

A thread that computes ahead (the fault explorer of notebook 04 replays the modes nobody has picked yet) competes
with the cells for the interpreter: every time a cell's code waits on a file or a socket, the thread takes the lock
and keeps it for up to ``sys.getswitchinterval()`` (5 ms). Measured in notebook 04's kernel, with the explorer
computing: opening a file took 0.3 ms instead of 6 µs, ``import openai`` 2 s instead of 0.6 s. :func:`wait_for_idle`
holds such a thread while a cell runs (IPython's ``pre_run_cell`` and ``post_run_cell`` events, hooked by
:func:`watch_cells` from the kernel's main thread); outside IPython it never waits.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

__all__ = ["wait_for_idle", "watch_cells"]

_idle = threading.Event()
_idle.set()
_hooked: list[object] = []  # the shells whose events are hooked


def watch_cells() -> None:
    """Follow the running shell's cells from now on (call it from the main thread; a second call changes nothing)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or any(seen is shell for seen in _hooked):
        return
    shell.events.register("pre_run_cell", lambda *_: _idle.clear())
    shell.events.register("post_run_cell", lambda *_: _idle.set())
    _hooked.append(shell)


def wait_for_idle(give_up: Callable[[], bool] = lambda: False, *, poll: float = 0.05) -> None:
    """Return when no cell is running, or as soon as ``give_up()`` is true (a cell is waiting for this work)."""
    while not _idle.wait(poll):
        if give_up():
            return
