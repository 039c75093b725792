"""The kernel zygote: a contained process that has imported ipykernel and the course's libraries once, and forks
one learner kernel per notebook of a submission.

A kernel started the usual way (``python -m ipykernel_launcher -f CONNECTION``) spends most of its start importing:
Python, IPython, ipykernel, then pandas, matplotlib, pydantic, httpx, openai and the kit in the notebook's first cell
— about a second and a half a notebook, seven times a submission. The grader's pytest plugin
(:mod:`grader.grade._plugin`) starts this zygote once per submission, through the same containment launcher as a
kernel (:mod:`grader.grade._contain`: Landlock, memory cap, the kernel log), and asks it for each kernel.

The protocol, one JSON line each way:

* the plugin writes ``{"argv": [...], "cwd": "...", "env": {...}}`` on the zygote's stdin (``argv``: the arguments
  ``ipykernel_launcher`` would get, ``-f CONNECTION`` among them);
* the zygote forks; the child starts its own session (its process group is the kernel's, as when jupyter_client
  starts a kernel), takes the environment and working folder it was sent and becomes the kernel;
* once the child runs in its new session, the zygote writes ``{"pid": N}`` on the reply descriptor (``--fd``, an
  inherited pipe, never a path).

The child is a kernel like any other: it imports nothing the learner did not ask for beyond what a kernel of the
course imports anyway, every kernel forks from the same untouched zygote (what one notebook's code changes in its
kernel never reaches the next), and the ``random`` module is reseeded at the fork. The plugin falls back to starting
kernels the usual way when the zygote does not answer (see :class:`grader.grade._plugin.KernelZygote`).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import os
import select
import signal
import sys
from typing import Any, Final

__all__ = ["PRELOAD", "main"]

# What the first cells of the notebooks import (and what the kit and the checks import in turn). Only imports: no
# module here may start a thread or open a socket when imported, or the forked kernels would inherit it half-done.
PRELOAD: Final = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib_inline.backend_inline",
    "pydantic",
    "httpx",
    "respx",
    "openai",
    "ipywidgets",
    "IPython.display",
    "weekfour",
    "weekfour.labs.hallucination",
    "weekfour.labs.runaway_spend",
    "weekfour.labs.latency",
    "weekfour.labs.fallbacks",
    "weekfour.labs.prompt_drift",
    "weekfour.labs.week_four",
    "grader",
)
_INLINE: Final = "module://matplotlib_inline.backend_inline"


def _preload() -> None:
    # ipykernel sets this when a kernel starts (when it is not set); matplotlib reads it when imported.
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = _INLINE
    for name in PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def _become_kernel(request: dict[str, Any], ready: int, start_dir: str) -> None:
    """In the forked child: the kernel's session, environment and folder, then ipykernel's own start."""
    code = 0
    try:
        os.setsid()
        os.write(ready, b"1")
        os.close(ready)
        for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        env = request.get("env")
        if isinstance(env, dict):
            os.environ.clear()
            os.environ.update({str(k): str(v) for k, v in env.items()})
        os.chdir(str(request.get("cwd") or start_dir))
        # As ipykernel_launcher does: the folder this process started in is not on the path (IPython puts the
        # kernel's working folder back as "" when it starts).
        if sys.path and sys.path[0] in ("", start_dir):
            del sys.path[0]
        import importlib.util

        from ipykernel import kernelapp

        launcher = importlib.util.find_spec("ipykernel_launcher")
        sys.argv = [str(launcher.origin if launcher else "ipykernel_launcher"), *[str(a) for a in request["argv"]]]
        app: Any = kernelapp.IPKernelApp.instance()
        app.initialize(sys.argv[1:])
        widgets: Any = sys.modules.get("ipywidgets")
        if widgets is not None:  # imported before the shell existed: register the comm target as its import would
            with contextlib.suppress(Exception):
                widgets._handle_ipython()
        app.start()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    except BaseException:  # noqa: BLE001 - the child must never return into the zygote's loop
        import traceback

        traceback.print_exc()  # into the kernel log
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _serve(reply: int) -> int:
    start_dir = os.getcwd()
    buffer = b""
    while True:
        ready, _, _ = select.select([0], [], [], 1.0)
        _reap()
        if not ready:
            continue
        chunk = os.read(0, 65536)
        if not chunk:
            return 0
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            try:
                request = json.loads(line)
            except ValueError:
                continue
            if not isinstance(request, dict) or not isinstance(request.get("argv"), list):
                continue
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                os.close(reply)
                _become_kernel(request, write_end, start_dir)
            os.close(write_end)
            started = os.read(read_end, 1) == b"1"  # the child runs in its own session
            os.close(read_end)
            answer = {"pid": pid} if started else {"error": "the kernel did not start"}
            os.write(reply, (json.dumps(answer) + "\n").encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.grade._kernel_zygote")
    parser.add_argument("--fd", type=int, required=True, help="the pipe the zygote answers on")
    args = parser.parse_args(argv)
    _preload()
    # What the preload made lives as long as every kernel: frozen, the kernels' collections never walk it (nor
    # write to its pages, which copy-on-write would then duplicate into each kernel).
    gc.collect()
    gc.freeze()
    return _serve(args.fd)


if __name__ == "__main__":
    sys.exit(main())
