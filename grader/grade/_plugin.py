"""The pytest plugin the grader loads next to nbval (``-p grader.grade._plugin``) to grade a graded copy.

What it adds to ``pytest --nbval-lax``:

* **Exercise mapping.** At collection, each cell's grading metadata (``weekfour.graded``: exercise, check, points) is
  copied into ``item.user_properties``; at the end, every cell's outcome is written as JSON to ``--grader-results``.
* **A dead kernel is noticed in a fraction of a second.** nbval waits on the kernel's reply for the whole cell timeout
  even when the kernel process is gone. The plugin replaces that wait with short polls (``POLL_SECONDS``) that check
  the kernel process is alive, and fails the cell with :class:`KernelDied` as soon as it is not.
* **No silent xfail, no lost exercises.** After a timeout nbval marks every later cell xfail. The plugin instead
  (1) when the interrupt worked and the kernel is alive, clears nbval's flag and goes on in the same kernel;
  (2) when the kernel is dead (it crashed, or nbval stopped it after a failed interrupt), starts a fresh kernel and
  replays the earlier cells — except the offending ones and the graded cells, which define nothing — then goes on.
  So a cell that loops forever or kills the kernel costs the exercise it belongs to, and nothing else.
  Replaying is the price of a death: it re-executes the notebook up to that point (measured by
  benchmarks/bench_grader.py); a notebook with no incident pays nothing.
* **Output floods do not pile up.** nbval keeps each cell's outputs on its item; the plugin drops them after the cell.
* **Contained kernels, nothing left running.** With ``--grader-kernel SETTINGS.json`` each kernel starts through
  :mod:`grader.grade._contain` and talks over the ``ipc`` transport (no TCP port). pytest becomes a child subreaper:
  whatever a kernel started, however it detached, is killed when its notebook ends, at the end of the session, and
  when the grader stops pytest with SIGTERM.
* **Kernels forked from a zygote.** With ``"zygote": true`` in the kernel settings, one contained
  :mod:`grader.grade._kernel_zygote` per submission has imported ipykernel and the course's libraries, and each
  notebook's kernel is forked from it (:class:`KernelZygote`); when it cannot answer, kernels start the usual way.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from queue import Empty
from typing import Any, Final

import pytest

from grader.grade._reaper import become_subreaper, kill_descendants

__all__ = ["POLL_SECONDS", "KernelDied", "KernelZygote"]

POLL_SECONDS: Final = 0.1
ZYGOTE_ANSWER_SECONDS: Final = 20.0  # a fork is answered in milliseconds; past this the zygote is given up
_MESSAGE_LIMIT: Final = 2000
_ANSI: Final = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class KernelDied(RuntimeError):
    """The kernel process exited while a cell was running."""


def _await_reply(self: Any, msg_id: str, timeout: float | None = None) -> None:
    """``RunningKernel.await_reply`` in short polls that notice a dead kernel (replaces nbval's)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        step = POLL_SECONDS if deadline is None else max(0.0, min(POLL_SECONDS, deadline - time.monotonic()))
        try:
            msg = self.get_message(stream="shell", timeout=step)
        except Empty:
            if not self.is_alive():
                raise KernelDied("the kernel died while running this cell") from None
            if deadline is not None and time.monotonic() >= deadline:
                raise
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            if msg["content"]["status"] == "aborted":
                raise RuntimeError("Kernel aborted execution request")
            return


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("weekfour-grader")
    group.addoption("--grader-results", default=None, help="write each cell's outcome, as JSON, to this file")
    group.addoption("--grader-kernel", default=None, help="start each kernel contained, with these JSON settings")


class _ForkedKernel:
    """What jupyter_client's provisioner holds for a kernel forked by the zygote, in place of a ``Popen``.

    The kernel is the zygote's child, not this process's: it is watched and signalled through a pidfd, which cannot
    reach another process that reuses the number. Its exit status is not known here; an exited kernel reports 1.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._fd: int | None = os.pidfd_open(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and self._fd is not None:
            ready, _, _ = select.select([self._fd], [], [], 0)
            if ready:
                self._exited()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self._fd is not None:
            ready, _, _ = select.select([self._fd], [], [], timeout)
            if not ready:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0.0)
            self._exited()
        return self.returncode if self.returncode is not None else 1

    def _exited(self) -> None:
        self.returncode = 1
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def send_signal(self, signum: int) -> None:
        if self._fd is None:
            return
        try:
            signal.pidfd_send_signal(self._fd, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class KernelZygote:
    """The plugin's side of :mod:`grader.grade._kernel_zygote`: start it contained, ask it for a kernel.

    :meth:`spawn` returns None when the zygote cannot answer — it died, was stopped, or said no — and from then on
    the zygote is not asked again: kernels start the usual way, only slower.
    """

    def __init__(self, settings: dict[str, Any]) -> None:
        from grader.grade._contain import kernel_command

        self._read_fd, write_fd = os.pipe()
        command = [sys.executable, "-m", "grader.grade._kernel_zygote", "--fd", str(write_fd)]
        wrapped = kernel_command(
            command,
            scratch=Path(settings["scratch"]),
            read=[Path(p) for p in settings.get("read", [])],
            memory=int(settings.get("memory", 0)),
            contain=bool(settings.get("contain", False)),
        )
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            wrapped,
            cwd=settings["scratch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
        os.close(write_fd)
        self._buffer = b""

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def spawn(self, argv: list[str], *, cwd: str | None, env: dict[str, str] | None) -> _ForkedKernel | None:
        proc = self._proc
        if proc is None or proc.poll() is not None or proc.stdin is None:
            return self._give_up()
        request = {"argv": argv, "cwd": cwd, "env": env}
        try:
            proc.stdin.write((json.dumps(request) + "\n").encode())
            proc.stdin.flush()
        except OSError:
            return self._give_up()
        deadline = time.monotonic() + ZYGOTE_ANSWER_SECONDS
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._read_fd], [], [], max(0.0, left))
            if not ready:
                return self._give_up()
            chunk = os.read(self._read_fd, 4096)
            if not chunk:
                return self._give_up()
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            pid = json.loads(line)["pid"]
            return _ForkedKernel(int(pid))
        except (ValueError, KeyError, TypeError, OSError):
            return self._give_up()

    def _give_up(self) -> _ForkedKernel | None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
        return None


_ZYGOTE: list[KernelZygote] = []


def _contained_manager(settings: dict[str, Any]) -> type:
    """A KernelManager that starts the kernel through the containment launcher, over ``ipc`` on POSIX — forked
    from the zygote when there is one."""
    from jupyter_client.manager import KernelManager

    from grader.grade._contain import kernel_command

    class ContainedKernelManager(KernelManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if os.name == "posix":
                kwargs.setdefault("transport", "ipc")
            super().__init__(*args, **kwargs)

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            command = super().format_kernel_cmd(extra_arguments)
            self._weekfour_command = command
            return kernel_command(
                command,
                scratch=Path(settings["scratch"]),
                read=[Path(p) for p in settings.get("read", [])],
                memory=int(settings.get("memory", 0)),
                contain=bool(settings.get("contain", False)),
            )

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            command: list[str] = getattr(self, "_weekfour_command", [])
            provisioner: Any = self.provisioner
            if _ZYGOTE and "ipykernel_launcher" in command and provisioner is not None:
                argv = command[command.index("ipykernel_launcher") + 1 :]
                forked = _ZYGOTE[0].spawn(argv, cwd=kw.get("cwd"), env=kw.get("env"))
                if forked is not None:
                    provisioner.process = forked
                    provisioner.pid = provisioner.pgid = forked.pid
                    provisioner.cwd = kw.get("cwd")
                    self._reconcile_connection_info(provisioner.connection_info)
                    return
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return ContainedKernelManager


def _on_sigterm(signum: int, frame: Any) -> None:
    kill_descendants()
    os._exit(128 + signum)


def pytest_configure(config: pytest.Config) -> None:
    import nbval.kernel
    from nbval.kernel import RunningKernel

    RunningKernel.await_reply = _await_reply
    config.stash[_RESULTS] = []
    settings_path = config.getoption("--grader-kernel")
    if settings_path:
        settings = json.loads(Path(settings_path).read_text(encoding="utf-8"))
        nbval.kernel.KernelManager = _contained_manager(settings)
        become_subreaper()
        signal.signal(signal.SIGTERM, _on_sigterm)
        if settings.get("zygote") and hasattr(os, "pidfd_open"):
            _ZYGOTE.append(KernelZygote(settings))


_RESULTS = pytest.StashKey[list[dict[str, Any]]]()
_NOTEBOOK = pytest.StashKey[Any]()


def _is_cell(item: pytest.Item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def _meta(item: Any) -> dict[str, Any]:
    meta = item.cell.metadata.get("weekfour", {})
    return dict(meta) if isinstance(meta, dict) else {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not _is_cell(item):
            continue
        meta = _meta(item)
        graded = meta.get("graded")
        if isinstance(graded, dict):
            for key in ("exercise", "check", "points", "hidden"):
                item.user_properties.append((key, graded.get(key)))
        elif isinstance(meta.get("exercise"), str):
            item.user_properties.append(("exercise_cell", meta["exercise"]))


def _state(parent: Any) -> dict[str, Any]:
    state = getattr(parent, "_weekfour_state", None)
    if state is None:
        state = {"offending": set(), "restarts": 0}
        parent._weekfour_state = state
    return state


def _replay(parent: Any, upto: int, config: pytest.Config) -> None:
    """Run the cells before ``upto`` in the (fresh) kernel, skipping graded and offending cells."""
    state = _state(parent)
    timeout = config.option.nbval_cell_timeout
    for sibling in parent.session.items:
        if sibling.parent is not parent or not _is_cell(sibling) or sibling.cell_num >= upto:
            continue
        if sibling.cell_num in state["offending"] or "graded" in _meta(sibling) or sibling.options.get("skip"):
            continue
        msg_id = parent.kernel.execute_cell_input(sibling.cell.source, allow_stdin=False)
        try:
            parent.kernel.await_reply(msg_id, timeout=timeout)
        except (Empty, KernelDied):
            state["offending"].add(sibling.cell_num)
            return


def _restart(parent: Any) -> None:
    old = parent.kernel
    try:
        if hasattr(old, "km"):
            old.stop()
    except Exception:  # a dead kernel's channels may already be gone
        pass
    parent.kernel = None
    parent.setup()
    parent.timed_out = False
    _state(parent)["restarts"] += 1


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not _is_cell(item):
        return
    parent: Any = item.parent
    if item.config.getoption("--grader-kernel") and item.config.stash.get(_NOTEBOOK, None) is not parent:
        item.config.stash[_NOTEBOOK] = parent
        # What the previous notebook's kernel left running (the zygote stays; the kernels it forked do not).
        kill_descendants(spare=[z.pid for z in _ZYGOTE if z.pid is not None])
    if parent.kernel is None:
        return
    if not parent.kernel.is_alive():
        _restart(parent)
        _replay(parent, item.cell_num, item.config)  # type: ignore[attr-defined]
    elif parent.timed_out:
        parent.timed_out = False  # the interrupt worked: the same kernel goes on, no xfail


def _clean(text: str) -> str:
    text = _ANSI.sub("", text)
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 20] + "\n... (cut)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if not _is_cell(item) or call.when != "call":
        return report
    parent: Any = item.parent
    incident = None
    if report.failed:
        if call.excinfo is not None and call.excinfo.errisinstance(KernelDied):
            incident = "kernel_died"
        elif parent.timed_out:
            incident = "timeout"
        elif parent.kernel is None or not parent.kernel.is_alive():
            incident = "kernel_died"
    if incident is not None:
        _state(parent)["offending"].add(item.cell_num)  # type: ignore[attr-defined]
    item.test_outputs = None  # type: ignore[attr-defined]
    props = dict(item.user_properties)
    item.config.stash[_RESULTS].append(
        {
            "notebook": Path(str(item.fspath)).name,
            "cell": item.cell_num,  # type: ignore[attr-defined]
            "outcome": report.outcome,
            "duration": round(report.duration, 3),
            "incident": incident,
            "exercise": props.get("exercise"),
            "check": props.get("check"),
            "exercise_cell": props.get("exercise_cell"),
            "head": next((ln.strip() for ln in item.cell.source.splitlines() if ln.strip()), "")[:60],  # type: ignore[attr-defined]
            "message": _clean(str(report.longrepr)) if report.failed else "",
        }
    )
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.config.getoption("--grader-kernel"):
        kill_descendants()
    path = session.config.getoption("--grader-results")
    if path:
        Path(path).write_text(json.dumps(session.config.stash[_RESULTS], indent=1))
