"""No process outlives grading: the grading process becomes a child subreaper and kills every descendant it has.

With ``prctl(PR_SET_CHILD_SUBREAPER)`` (Linux), a process that detaches from the kernel (``start_new_session=True``, a
double fork) is re-parented to the subreaper when its parent dies, instead of to init: it stays a descendant, and
:func:`kill_descendants` finds it by walking ``/proc``. Where there is no ``/proc`` (macOS), nothing is found
and the grader relies on killing the runner's process group.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Final

__all__ = ["become_subreaper", "descendants", "kill_descendants"]

_PR_SET_CHILD_SUBREAPER: Final = 36
_ROUNDS: Final = 50


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _parents() -> dict[int, int]:
    """Parent of every live process (zombies left out: they are gone, only their exit status waits)."""
    parents: dict[int, int] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return parents
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if stat[0] not in ("Z", "X"):
                parents[int(entry.name)] = int(stat[1])
        except (OSError, IndexError, ValueError):
            continue
    return parents


def descendants(pid: int | None = None) -> list[int]:
    """Every live descendant of ``pid`` (default: this process), from ``/proc``."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    stack = list(children.get(root, []))
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_descendants(keep: Collection[int] = (), spare: Collection[int] = ()) -> int:
    """SIGKILL every descendant of this process but ``keep`` (and theirs) and ``spare`` (not theirs), until none is
    left; returns how many."""
    killed: set[int] = set()
    for _ in range(_ROUNDS):
        victims = [p for p in descendants() if p not in keep and p not in spare and not _under(p, keep)]
        if not victims:
            break
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except ProcessLookupError:
                pass
        _reap_children_except([*keep, *spare])
    return len(killed)


def _under(pid: int, keep: Collection[int]) -> bool:
    if not keep:
        return False
    parents = _parents()
    seen = set()
    current = parents.get(pid)
    while current and current not in seen:
        if current in keep:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _reap_children_except(keep: Collection[int]) -> None:
    if not keep:
        _reap()
        return
    for child, parent in _parents().items():
        if parent == os.getpid() and child not in keep:
            try:
                os.waitpid(child, os.WNOHANG)
            except ChildProcessError:
                pass
