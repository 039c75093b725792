"""The verdict process: run a graded copy's cells as plain Python and decide each check, out of learner code's reach.

Started by :mod:`grader.grade._verdict` through the containment launcher (Landlock, memory cap, its own log), as
``python -m grader.grade._verdict_child --fd N``: ``N`` is the write end of a pipe the grader reads — inherited, never
a path. The process first imports the grader, the kit, the checks and the libraries they use (nothing of the learner
exists yet); it is then a *zygote*: for each line the grader sends on stdin (one notebook to run, with its own key),
it forks a child that

1. reads the graded copy from the line it was sent (never from a file learner code could edit), takes its own
   references to the check functions, the runner and the channel;
2. installs :mod:`grader.grade._guard` (audit hook and seal);
3. executes the learner's cells in order — IPython syntax turned into Python by IPython's own transformer
   (``%magics`` reach a small stand-in for the shell, which runs ``%time``/``%%capture`` bodies and sets ``%env``;
   the rest do nothing), top-level ``await`` compiled with ``PyCF_ALLOW_TOP_LEVEL_AWAIT`` and run on one event loop;
   a cell longer than the cell timeout is interrupted; a cell's exception is noted and the next cell runs;
4. at each graded cell, runs that check with the grader's own runner and writes the result;
5. after every cell and check, compares the grader's and the kit's objects with their fingerprint.

Every line on the channel is ``HMAC-SHA256(key, body) body``: the grader drops lines it cannot verify (and flags
them), so learner code that writes to the pipe's descriptor forges nothing. The zygote reports each child's exit.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import builtins
import contextlib
import dataclasses
import hashlib
import hmac
import io
import json
import os
import select
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

__all__ = ["main"]

_CO_COROUTINE: Final = 0x80
_NOTEBOOKS: Final = 7  # notebooks 00-06
_MAX_FILE: Final = 64 * 1024 * 1024
_PRELOAD: Final = (
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "pydantic",
    "httpx",
    "respx",
    "openai",
    "ipywidgets",
    "IPython.display",
    "IPython.core.inputtransformer2",
    "json",
    "statistics",
    "dataclasses",
    "typing",
    "enum",
    "collections",
    "functools",
    "itertools",
    "re",
    "math",
    "random",
    "datetime",
    "decimal",
    "textwrap",
    "hashlib",
    "time",
    "uuid",
    "copy",
    "contextlib",
    "concurrent.futures",
)


class _Timeout(BaseException):
    """The cell ran longer than the cell timeout."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _preload() -> None:
    """Import what the cells and checks will use, so nothing of the grader or kit is first imported by learner code."""
    import importlib
    import pkgutil

    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in _PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    import grader
    import weekfour

    for package in (weekfour, grader):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith(".__main__") or info.name.startswith(("grader.mutate", "grader.release")):
                continue
            with contextlib.suppress(Exception):
                importlib.import_module(info.name)
    # Answers libraries cache on first use, computed now: the SDK asks the platform (a subprocess, refused later).
    with contextlib.suppress(Exception):
        import openai
        from openai import _base_client

        _base_client.platform_headers(openai.__version__, platform=None)


def _warm_registry() -> None:
    """``check()`` and ``progress()`` in a learner's cell read the checks the kit's registry loaded here, not files."""
    from grader import _kernel

    registry = _kernel._get_registry()
    for number in range(_NOTEBOOKS):
        with contextlib.suppress(Exception):
            registry.exercises(number)


class _Shell:
    """What ``get_ipython()`` returns to learner code here: magics in their plainest form, no hooks."""

    def __init__(self, ns: dict[str, Any]) -> None:
        self.user_ns = ns

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> Any:
        if name == "env" and "=" in line:
            key, _, value = line.partition("=")
            os.environ[key.strip()] = value.strip()
        elif name in ("time", "timeit") and line.strip():
            exec(compile(line, "<magic>", "exec"), self.user_ns)
        return None

    def run_cell_magic(self, name: str, line: str, cell: str) -> Any:
        if name in ("time", "timeit"):
            exec(compile(cell, "<magic>", "exec"), self.user_ns)
        elif name == "capture":
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(compile(cell, "<magic>", "exec"), self.user_ns)
        return None

    def system(self, cmd: str) -> None:
        return None

    def getoutput(self, cmd: str) -> list[str]:
        return []


def _code_cells(data: dict[str, Any]) -> list[dict[str, Any]]:
    cells = []
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        meta = cell.get("metadata", {}).get("weekfour", {})
        meta = meta if isinstance(meta, dict) else {}
        cells.append(
            {
                "source": "".join(source) if isinstance(source, list) else str(source),
                "graded": meta.get("graded") if isinstance(meta.get("graded"), dict) else None,
                "origin": meta.get("origin") if isinstance(meta.get("origin"), int) else None,
            }
        )
    return cells


def _run_notebook(plan: dict[str, Any], fd: int) -> None:
    """One notebook, in a forked child: everything the learner's code could reach is decided before it runs."""
    from IPython.core.inputtransformer2 import TransformerManager
    from IPython.display import display

    from grader import _kernel
    from grader._runner import run_check
    from grader.grade._guard import CELL_PREFIX, install

    key = bytes.fromhex(plan["key"])
    write = os.write
    dumps = json.dumps
    new_mac = hmac.new
    sha256 = hashlib.sha256

    def send(body: dict[str, Any]) -> None:
        text = dumps(body, default=str)
        mac = new_mac(key, text.encode(), sha256).hexdigest()
        with contextlib.suppress(OSError):
            write(fd, f"{mac} {text}\n".encode())

    seed = int(plan["seed"])
    timeout = float(plan["timeout"])
    skip = set(plan.get("skip", []))
    registry = _kernel._get_registry()  # warmed in the zygote: the checks were imported before any learner code
    exercises = registry.exercises(int(plan["number"]))
    # Copies: the check specs the kit's registry holds are shared objects, and a frozen dataclass still yields to
    # object.__setattr__ (no audit event); these copies exist only in this function's frame.
    specs = {(ex.id, spec.name): dataclasses.replace(spec) for ex in exercises.values() for spec in ex.checks}
    cells = _code_cells(plan["notebook"])
    transform = TransformerManager().transform_cell
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins, "display": display}
    shell = _Shell(ns)
    ns["get_ipython"] = lambda: shell
    setitimer = signal.setitimer
    signal.signal(signal.SIGALRM, _alarm)

    def report(event: str, detail: str, cell: int | None, line: int | None) -> None:
        send({"t": "refused", "event": event, "detail": detail, "cell": cell, "line": line})

    _warm_registry()  # already warm from the zygote; a notebook number it did not know is loaded here, still before
    guard = install(
        learner_globals=ns, scratch=Path(plan["scratch"]), private=map(Path, plan["private"]), report=report
    )
    tampered_seen: set[str] = set()

    def watch(origin: int | None) -> bool:
        changed = [name for name in guard.tampered() if name not in tampered_seen]
        if changed:
            tampered_seen.update(changed)
            send({"t": "tampered", "names": changed[:20], "count": len(changed), "cell": origin})
        return bool(tampered_seen)

    send({"t": "ready"})
    for index, cell in enumerate(cells):
        if index in skip:
            continue
        send({"t": "cell", "i": index})
        graded = cell["graded"]
        if graded is not None:
            spec = specs.get((graded.get("exercise"), graded.get("check")))
            if spec is None:
                continue
            if watch(cell["origin"]):
                send({"t": "check", "i": index, "exercise": spec.exercise, "check": spec.name, "status": "tampered"})
                continue
            setitimer(signal.ITIMER_REAL, timeout)
            status: str  # a check's status, or "tampered"
            try:
                result = run_check(spec, ns, seed=seed)
                status, message = result.status, result.message
            except _Timeout:
                status, message = "failed", f"the check ran longer than {timeout:g} s"
            except BaseException as exc:  # noqa: BLE001 - learner code may raise anything, SystemExit included
                status, message = "failed", f"{type(exc).__name__} while the check ran"
            finally:
                setitimer(signal.ITIMER_REAL, 0)
            if watch(cell["origin"]):
                status = "tampered"
            send({"t": "check", "i": index, "exercise": spec.exercise, "check": spec.name, "status": status,
                  "message": message[:2000]})  # fmt: skip
            continue
        _run_cell(cell, ns, transform, loop, timeout, setitimer, send, CELL_PREFIX)
        watch(cell["origin"])
    send({"t": "done"})


def _run_cell(
    cell: dict[str, Any],
    ns: dict[str, Any],
    transform: Callable[[str], str],
    loop: asyncio.AbstractEventLoop,
    timeout: float,
    setitimer: Callable[..., Any],
    send: Callable[[dict[str, Any]], None],
    prefix: str,
) -> None:
    origin = cell["origin"]
    try:
        text = transform(cell["source"])
        code = compile(text, f"{prefix}{origin or 0}>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        send({"t": "raised", "cell": origin, "error": f"{type(exc).__name__}: {exc}"[:300]})
        return
    setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = eval(code, ns)  # noqa: S307 - the learner's cell, in the contained verdict process
        if code.co_flags & _CO_COROUTINE:
            loop.run_until_complete(result)
    except _Timeout:
        send({"t": "raised", "cell": origin, "error": f"timeout after {timeout:g} s"})
    except BaseException as exc:  # noqa: BLE001 - a cell may raise anything; the notebook goes on, as in the kernel
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        send(
            {
                "t": "raised",
                "cell": origin,
                "error": f"{type(exc).__name__}"[:100],
                "line": last[0].lineno if last else None,
            }
        )
    finally:
        setitimer(signal.ITIMER_REAL, 0)


class _Lines:
    """Lines from a file descriptor, read with ``os.read`` so that ``select`` sees what is still unread."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def next(self, timeout: float | None) -> str | None:
        """The next line; None when none came within ``timeout`` seconds or the other end closed."""
        while b"\n" not in self.buffer:
            if self.closed:
                return None
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.closed = True
                continue
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", "replace")


def _child(plan: dict[str, Any], fd: int) -> None:
    """The forked child: learner output goes nowhere (the kernel run shows it), then the notebook runs."""
    code = 0
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        _limit_files()
        _run_notebook(plan, fd)
    except BaseException:  # noqa: BLE001 - report and leave; nothing may escape the child
        traceback.print_exc()  # into the verdict log (at most _MAX_FILE bytes), for whoever maintains the grader
        code = 3
    finally:
        os._exit(code)


def _limit_files() -> None:
    """No file the child writes grows past _MAX_FILE (a flood fails its write, it does not fill the disk)."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (_MAX_FILE, _MAX_FILE))


def _serve(fd: int) -> int:
    """The zygote: one forked child per plan line on stdin, its exit reported on the channel. A ``kill`` line while
    a child runs stops it (the grader sends one when a cell outlives its timeout despite the alarm)."""
    lines = _Lines(0)
    while (line := lines.next(None)) is not None:
        try:
            plan = json.loads(line)
        except ValueError:
            continue
        key = bytes.fromhex(plan["key"])
        pid = os.fork()
        if pid == 0:
            _child(plan, fd)
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if lines.next(0.05) == "kill" or lines.closed:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        text = json.dumps({"t": "exit", "status": os.waitstatus_to_exitcode(status)})
        os.write(fd, f"{hmac.new(key, text.encode(), hashlib.sha256).hexdigest()} {text}\n".encode())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.grade._verdict_child")
    parser.add_argument("--fd", type=int, required=True)
    args = parser.parse_args(argv)
    _preload()
    _warm_registry()
    return _serve(args.fd)


if __name__ == "__main__":
    sys.exit(main())
