"""The grader's side of the verdict process: start it contained, hand it one notebook at a time, read what it decided.

The kernel run (nbval) gives the learner their feedback and proves the notebook runs; it cannot be trusted for
points, because anything inside the learner's kernel can forge a result. :mod:`grader.grade._verdict_child` decides
again, in a fresh process per notebook, where learner code cannot reach the checks or the channel. An exercise earns
its points only when both runs say each check passed (see :mod:`grader.grade._submission`).

A notebook whose verdict child dies (``os._exit``, a crash, the memory cap) — or stays silent past a cell's timeout,
when learner code silenced the child's own alarm: the zygote then stops it — is run again without the cell that was
running, as the kernel run does, at most :data:`MAX_RESTARTS` times. Lines on the channel that do not carry the
notebook's key are counted as forged and dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from grader.grade._contain import kernel_command

__all__ = ["MAX_RESTARTS", "Verdict", "VerdictProcess"]

MAX_RESTARTS: Final = 5
_STARTUP: Final = 60.0
_STALL_GRACE: Final = 5.0  # seconds past the cell timeout before a silent child is stopped


@dataclass(slots=True)
class Verdict:
    """What the verdict process decided for one notebook."""

    checks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (exercise, check) -> result
    refusals: list[dict[str, Any]] = field(default_factory=list)
    tampered: list[dict[str, Any]] = field(default_factory=list)
    forged: int = 0  # lines on the channel without the notebook's key
    restarts: int = 0
    error: str | None = None  # the verdict process could not run this notebook to its end

    def passed(self, exercise: str, check: str) -> bool:
        return self.checks.get((exercise, check), {}).get("status") == "passed"


class VerdictProcess:
    """One contained zygote per submission; :meth:`run` decides one notebook (call from one thread at a time)."""

    def __init__(self, *, scratch: Path, read: list[Path], memory: int, contain: bool, env: dict[str, str]) -> None:
        self._scratch = scratch
        self._read_fd, write_fd = os.pipe()
        command = [sys.executable, "-m", "grader.grade._verdict_child", "--fd", str(write_fd)]
        wrapped = kernel_command(command, scratch=scratch, read=read, memory=memory, contain=contain)
        wrapped[wrapped.index("--log") + 1] = str(scratch / "verdict.log")
        self._proc = subprocess.Popen(
            wrapped,
            cwd=scratch,
            env={**env, "MPLBACKEND": "Agg"},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
        os.close(write_fd)
        self._buffer = b""
        self._started = time.monotonic()

    def _lines(self, deadline: float) -> list[bytes] | None:
        """The complete lines the channel holds, [] after a quiet half second, None at end of file or past
        ``deadline``."""
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._read_fd], [], [], min(left, 0.5))
            if not ready:
                return []
            chunk = os.read(self._read_fd, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        return lines

    def _send(self, line: str) -> bool:
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write((line + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        return True

    def run(self, notebook: dict[str, Any], number: int, *, seed: int, timeout: float, private: list[Path]) -> Verdict:
        """Decide ``notebook`` (a graded copy, as JSON data) of notebook number ``number``."""
        verdict = Verdict()
        cells = sum(1 for c in notebook.get("cells", []) if c.get("cell_type") == "code")
        skip: set[int] = set()
        while True:
            budget = _STARTUP + cells * (timeout + 2.0)
            key = secrets.token_bytes(32)
            plan = {
                "notebook": notebook,
                "number": number,
                "key": key.hex(),
                "seed": seed,
                "timeout": timeout,
                "skip": sorted(skip),
                "scratch": str(self._scratch),
                "private": [str(p) for p in private],
            }
            if not self._send(json.dumps(plan)):
                verdict.error = "the verdict process is not running"
                return verdict
            done, last_cell, exited = self._read_one(verdict, key, time.monotonic() + budget, timeout)
            if done or not exited:
                if not done:
                    verdict.error = "the verdict process did not finish this notebook in time"
                return verdict
            if last_cell is None or verdict.restarts >= MAX_RESTARTS:
                verdict.error = "the verdict process stopped before it could run this notebook"
                return verdict
            skip.add(last_cell)
            verdict.restarts += 1

    def _read_one(self, verdict: Verdict, key: bytes, deadline: float, timeout: float) -> tuple[bool, int | None, bool]:
        """Read one child's messages: (finished, the last cell it started, it exited). A cell silent for longer than
        its timeout and a grace (learner code can silence the alarm) gets the child stopped, as a death."""
        done, last_cell = False, None
        heard, stopped, ready = time.monotonic(), False, False  # the silence that counts starts once the child is ready
        while True:
            lines = self._lines(deadline)
            if lines is None:
                return done, last_cell, False
            if lines:
                heard = time.monotonic()
            elif ready and not stopped and time.monotonic() - heard > timeout + _STALL_GRACE:
                stopped = self._send("kill")
            for raw in lines:
                mac, _, body = raw.decode("utf-8", "replace").partition(" ")
                expected = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
                if not hmac.compare_digest(mac, expected):
                    verdict.forged += 1
                    continue
                try:
                    message = json.loads(body)
                except ValueError:
                    verdict.forged += 1
                    continue
                kind = message.get("t")
                ready = True
                if kind == "cell":
                    last_cell = message.get("i")
                elif kind == "check":
                    verdict.checks.setdefault((message.get("exercise"), message.get("check")), message)
                elif kind == "refused":
                    verdict.refusals.append(message)
                elif kind == "tampered":
                    verdict.tampered.append(message)
                elif kind == "done":
                    done = True
                elif kind == "exit":
                    return done, last_cell, True

    def close(self) -> None:
        """Stop the zygote and everything in its session."""
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._proc.wait()
        os.close(self._read_fd)
