"""Start a learner's kernel contained: ``python -S -E .../_contain.py [options] -- COMMAND...``.

Before it becomes ``COMMAND`` (by ``exec``, so the kernel keeps this process id), the launcher

* caps the address space (``RLIMIT_AS``, ``--memory`` bytes): a memory bomb fails the cell, not the machine;
* sends the kernel's own stdout and stderr to ``--log`` (in the scratch folder), never to the grader's;
* with Linux Landlock, restricts the kernel and everything it starts to reading the Python environment, the course
  kit, the check folders and ``--scratch``; writing only beneath ``--scratch`` (and ``/dev/null``); no TCP (ABI >= 4,
  the kernel talks to nbval over the ``ipc`` transport); no signal to a process outside it (ABI >= 6). ``/proc`` is
  not readable: the grader's command line and other processes stay out of sight.

Where Landlock is missing the kernel runs uncontained (memory cap and log only); :func:`containment` says which.
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING or __package__:
    from grader.grade import _landlock
else:  # started as a script by kernel_command: no package (and no site) to import, a fast start
    import _landlock

__all__ = ["DEFAULT_MEMORY", "Containment", "containment", "kernel_command", "main", "readable_roots"]

DEFAULT_MEMORY: Final = 4 * 1024**3
_SYSTEM_READ: Final = (
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/bin",
    "/sbin",
    "/etc",
    "/opt",
    "/dev/urandom",
    "/dev/random",
)


@dataclass(frozen=True, slots=True)
class Containment:
    abi: int  # Landlock ABI, 0 when there is none

    @property
    def files(self) -> bool:
        return self.abi >= 1

    @property
    def network(self) -> bool:
        return self.abi >= 4

    def describe(self) -> str:
        if not self.files:
            return (
                "grading runs UNCONTAINED here (no Linux Landlock): learner code can read and write what you can. "
                "Grade cohorts on Linux CI (e.g. GitHub's Ubuntu runners)."
            )
        net = "no TCP" if self.network else "TCP not blocked (Landlock ABI < 4)"
        return f"kernels contained by Landlock ABI {self.abi}: own scratch folder only, {net}"


_CACHED: list[Containment] = []


def containment() -> Containment:
    """What this machine offers (asked once per process)."""
    if not _CACHED:
        _CACHED.append(Containment(_landlock.abi()))
    return _CACHED[0]


def readable_roots(extra: Sequence[Path] = ()) -> list[Path]:
    """What a contained kernel may read: the Python installation, the environment, the kit and ``extra``."""
    import grader
    import weekfour

    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix)}
    roots |= {Path(p) for p in sysconfig.get_paths().values()}
    roots |= {Path(grader.__file__).resolve().parent, Path(weekfour.__file__).resolve().parent}
    roots |= {Path(p).resolve() for p in extra}
    roots |= {Path(p) for p in _SYSTEM_READ}
    return sorted(roots)


def kernel_command(
    command: Sequence[str], *, scratch: Path, read: Sequence[Path], memory: int, contain: bool
) -> list[str]:
    """``command`` wrapped in the launcher (``read`` is what the kernel may read besides ``scratch``)."""
    args = [
        sys.executable,
        "-S",
        "-E",
        str(Path(__file__).resolve()),
        "--scratch",
        str(scratch),
        "--memory",
        str(memory),
    ]
    args += ["--log", str(scratch / "kernel.log")]
    if contain:
        for path in read:
            args += ["--read", str(path)]
    else:
        args.append("--uncontained")
    return [*args, "--", *command]


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m grader.grade._contain")
    parser.add_argument("--scratch", type=Path, required=True)
    parser.add_argument("--read", type=Path, action="append", default=[])
    parser.add_argument("--memory", type=int, default=DEFAULT_MEMORY)
    parser.add_argument("--log", type=Path, default=None)
    parser.add_argument("--uncontained", action="store_true")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("give the command to run after --")
    return args


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def _redirect(log: Path) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.log is not None:
        _redirect(args.log)
    if args.memory > 0:
        _limit_memory(args.memory)
    if not args.uncontained:
        version = containment().abi
        if version >= 1:
            _landlock.restrict(read=args.read, write=[args.scratch, Path("/dev/null")], version=version)
    os.execv(args.command[0], args.command)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main())
