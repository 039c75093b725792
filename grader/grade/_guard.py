"""The verdict process's guard: an audit hook that refuses what forging a result needs, and a seal on the grader.

Installed by :mod:`grader.grade._verdict_child` after it has imported the grader, the kit and the checks, and before
the first line of learner code exists. From then on, in that process:

* **always refused**: tracing and profiling hooks, new audit hooks, ``gc`` object walks, other threads' frames,
  ``ctypes``, starting processes (``subprocess``, ``os.system``, ``exec``, ``fork``, ``spawn``), signals to other
  processes, opening network connections, raising resource limits;
* **refused to learner code** (a frame whose globals are the notebook's, or a library function it called directly —
  except a short list of library functions that read a frame and hand none back, like ``collections.namedtuple``):
  frames (``sys._getframe``, ``tb_frame``, ``gi_frame``, ``cr_frame``, ``ag_frame``) and making code or function
  objects;
* **refused whoever asks**: changing a function, code or class of the grader or the kit (``object.__setattr__``);
  from learner code, changing the code, defaults or closure of a function it did not write, reading the code of one,
  or opening a file of the checks folders; writing
  outside the scratch folder (Landlock enforces this too where the system has it);
* **sealed**: every module of ``grader`` and ``weekfour`` refuses attribute assignment and deletion, and
  :meth:`Guard.tampered` compares what their namespaces and classes hold (functions, classes, modules, methods) — and
  those of ``builtins``, the standard modules and libraries checks call (``json``, ``random``, ``re``, ``httpx``,
  ``pydantic``, ...) — with a fingerprint taken at installation, which catches the routes no audit event sees
  (``vars(module)[...] = ...``, ``Class.method = ...``, ``builtins.isinstance = ...``).

Each refusal raises :class:`PermissionError` in the code that asked and is reported through ``report`` with the
learner's cell and line. The guard holds its state in closures that no module attribute, frame or object walk
available to learner code leads to. What it cannot stop — defeating CPython's audit hooks themselves, or the process's
Landlock containment — is an exploit, outside the threat model (docs/instructors.md).
"""

from __future__ import annotations

import _thread
import os
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

__all__ = ["CELL_PREFIX", "Guard", "install"]

CELL_PREFIX: Final = "<learner-cell-"  # the file name learner cells are compiled under: "<learner-cell-7>"

_ALWAYS: Final = frozenset(
    {
        "sys.settrace",
        "sys.setprofile",
        "sys.addaudithook",
        "sys._current_frames",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.startfile",
        "pty.spawn",
        "socket.connect",
        "socket.bind",
        "socket.sendto",
        "socket.sendmsg",
        "resource.setrlimit",
        "resource.prlimit",
        "sys.remote_exec",
    }
)
_SEAL_EVENT: Final = "weekfour.sealed"  # raised by a sealed module (which holds no reference to the guard)
_FRAME_EVENTS: Final = frozenset({"sys._getframe", "sys._getframemodulename"})
_SURGERY: Final = frozenset({"__code__", "__defaults__", "__kwdefaults__", "__globals__", "__closure__"})
_FRAME_ATTRS: Final = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"})
_MAKERS: Final = frozenset({"code.__new__", "function.__new__"})
_PATH_EVENTS: Final = frozenset(
    {"os.remove", "os.rename", "os.rmdir", "os.truncate", "os.chmod", "os.chown", "os.symlink", "os.link"}
)
_WATCHED: Final = (
    _ALWAYS
    | _FRAME_EVENTS
    | _MAKERS
    | _PATH_EVENTS
    | {"object.__getattr__", "object.__setattr__", "object.__delattr__", "open", "os.kill", "os.killpg", _SEAL_EVENT}
)
_WRITE_FLAGS: Final = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
# Library functions that read a frame and hand no frame back (module file name, function name).
_SAFE_CALLERS: Final = frozenset(
    {
        ("collections/__init__.py", "namedtuple"),
        ("enum.py", "_create_"),
        ("enum.py", "__call__"),
        ("typing.py", "_caller"),
        ("typing.py", "__init__"),
        ("typing.py", "_make_nmtuple"),
        ("typing.py", "__new__"),
        ("logging/__init__.py", "findCaller"),
        ("warnings.py", "warn"),
        ("traceback.py", "_walk_tb_with_full_positions"),
        ("traceback.py", "extract_stack"),
        ("traceback.py", "format_stack"),
        ("traceback.py", "print_stack"),
    }
)
_CODE_BEARING: Final = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.ModuleType,
    type,
    staticmethod,
    classmethod,
    property,
)


# Compared with their fingerprint too (not sealed: libraries may set their own attributes): what checks call.
_WATCHED_LIBRARIES: Final = (
    "builtins",
    "json",
    "json.decoder",
    "json.encoder",
    "math",
    "random",
    "re",
    "statistics",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "fractions",
    "collections",
    "collections.abc",
    "functools",
    "itertools",
    "operator",
    "typing",
    "inspect",
    "types",
    "asyncio",
    "asyncio.tasks",
    "asyncio.events",
    "asyncio.base_events",
)
_WATCHED_PACKAGES: Final = ("httpx", "respx", "pydantic", "pydantic_core")


class _Sealed(types.ModuleType):
    """A grader or kit module in the verdict process: its attributes cannot be reassigned or deleted."""

    def __setattr__(self, name: str, value: object) -> None:
        sys.audit(_SEAL_EVENT, f"setting {self.__name__}.{name}")
        raise PermissionError(f"refused by the grader: setting {self.__name__}.{name}")

    def __delattr__(self, name: str) -> None:
        sys.audit(_SEAL_EVENT, f"deleting {self.__name__}.{name}")
        raise PermissionError(f"refused by the grader: deleting {self.__name__}.{name}")


class Guard:
    """What the driver keeps of an installed guard: its fingerprint check."""

    __slots__ = ("_tampered",)

    def __init__(self, tampered: Callable[[], list[str]]) -> None:
        self._tampered = tampered

    def tampered(self) -> list[str]:
        """The grader's and the kit's names whose objects changed since installation (empty when none)."""
        return self._tampered()


def _protected_modules(prefixes: tuple[str, ...]) -> list[types.ModuleType]:
    return [
        m
        for name, m in list(sys.modules.items())
        if isinstance(m, types.ModuleType) and (name in prefixes or name.startswith(tuple(p + "." for p in prefixes)))
    ]


def _watched_modules(prefixes: tuple[str, ...]) -> list[types.ModuleType]:
    """The sealed packages, and the libraries whose functions the checks call (compared, not sealed)."""
    exact = [m for name in _WATCHED_LIBRARIES if isinstance(m := sys.modules.get(name), types.ModuleType)]
    return _protected_modules(prefixes + _WATCHED_PACKAGES) + exact


class _Baseline:
    """The grader's and the kit's code-bearing objects at installation, by where they live, for a fast comparison.

    Each entry is the namespace a name lives in (a module's ``__dict__``, a class's ``__dict__`` proxy: both show
    later changes), the name, and the object it held (compared by identity, so a new object can never pass for it,
    whatever address it is given). A module that ``sys.modules`` no longer maps to the same object counts as changed
    too. A comparison takes about 1 ms where rebuilding the table took 15 ms: the verdict process compares after every
    cell and every check.
    """

    __slots__ = ("entries", "modules")

    def __init__(self, modules: Iterable[types.ModuleType]) -> None:
        self.modules = [(m.__name__, m) for m in modules]
        self.entries: list[tuple[Mapping[str, Any], str, object, str]] = []
        classes: list[type] = []
        for name, module in self.modules:
            space: Mapping[str, Any] = module.__dict__
            for key, value in list(space.items()):
                if isinstance(value, _CODE_BEARING):
                    self.entries.append((space, key, value, f"{name}.{key}"))
                    if isinstance(value, type) and getattr(value, "__module__", None) == name:
                        classes.append(value)
        for cls in dict.fromkeys(classes):
            space = cls.__dict__  # a live view of the class's namespace
            for key, value in list(space.items()):
                if isinstance(value, _CODE_BEARING):
                    self.entries.append((space, key, value, f"{cls.__module__}.{cls.__qualname__}.{key}"))

    def changed(self) -> list[str]:
        found = [label for space, key, value, label in self.entries if space.get(key) is not value]
        modules = sys.modules
        found += [f"{name} (module)" for name, module in self.modules if modules.get(name) is not module]
        return sorted(found)


def _owner(obj: object) -> str:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    return str(getattr(obj, "__module__", "") or "")


def install(
    *,
    learner_globals: dict[str, Any],
    scratch: Path,
    private: Iterable[Path],
    report: Callable[[str, str, int | None, int | None], None],
    prefixes: tuple[str, ...] = ("grader", "weekfour"),
) -> Guard:
    """Seal the grader and the kit, install the audit hook; ``report(event, detail, cell, line)`` hears refusals."""
    scratch_root = os.path.realpath(scratch)
    private_roots = tuple(os.path.realpath(p) + os.sep for p in private)
    modules = _protected_modules(prefixes)
    for module in modules:
        if type(module) is types.ModuleType:
            module.__class__ = _Sealed
    baseline = _Baseline(_watched_modules(prefixes))
    getframe = sys._getframe
    realpath = os.path.realpath
    inside: list[int | None] = [None]  # the thread running the guard's own code, whose events pass
    ident = _thread.get_ident
    pid = os.getpid()

    def is_learner(frame: types.FrameType | None) -> bool:
        return frame is not None and (
            frame.f_globals is learner_globals or frame.f_code.co_filename.startswith(CELL_PREFIX)
        )

    def learners(obj: object) -> bool:
        """Whether ``obj`` is a function the learner's cells defined."""
        code = getattr(obj, "__code__", None)
        return isinstance(obj, types.FunctionType) and str(getattr(code, "co_filename", "")).startswith(CELL_PREFIX)

    def where() -> tuple[int | None, int | None]:
        frame: types.FrameType | None = getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(CELL_PREFIX):
                try:
                    return int(name[len(CELL_PREFIX) : -1]), frame.f_lineno
                except ValueError:
                    return None, frame.f_lineno
            frame = frame.f_back
        return None, None

    def caller(depth: int) -> types.FrameType | None:
        # depth 0: the frame whose code raised the event (caller, learner_asks, decide and hook are skipped).
        try:
            return getframe(4 + depth)
        except ValueError:
            return None

    def learner_asks() -> bool:
        first = caller(0)
        if first is None or is_learner(first):
            return first is not None
        code = first.f_code
        filename = code.co_filename.replace(os.sep, "/")
        if any(filename.endswith(f) and code.co_name == fn for f, fn in _SAFE_CALLERS):
            return False
        return is_learner(first.f_back)

    def outside_scratch(path: object) -> bool:
        try:
            text = os.fsdecode(path)  # type: ignore[arg-type]
        except TypeError:
            return False  # a file descriptor
        target = realpath(text)
        return not (target == scratch_root or target.startswith(scratch_root + os.sep) or target == os.devnull)

    def private_path(path: object) -> bool:
        try:
            text = os.fsdecode(path)  # type: ignore[arg-type]
        except TypeError:
            return False
        return (realpath(text) + os.sep).startswith(private_roots) if private_roots else False

    def decide(event: str, args: tuple[Any, ...]) -> str | None:
        """Why ``event`` is refused, or None."""
        if event in _ALWAYS:
            return event
        if event == _SEAL_EVENT:
            return str(args[0]) if args else "changing a module of the grader"
        if event in _FRAME_EVENTS:
            return "reading a frame (sys._getframe)" if learner_asks() else None
        if event == "object.__getattr__":
            obj, name = args[0], args[1]
            if name in _FRAME_ATTRS:
                return f"reading {name}" if learner_asks() else None
            if name == "__code__" and not learners(obj) and learner_asks():
                return f"reading the code of {_owner(obj)}.{getattr(obj, '__qualname__', '?')}"
            return None
        if event in ("object.__setattr__", "object.__delattr__"):
            obj, name = args[0], args[1]
            if _owner(obj).startswith(prefixes) or (name in _SURGERY and not learners(obj) and learner_asks()):
                return f"changing {_owner(obj)}.{getattr(obj, '__qualname__', '?')}.{name}"
            return None
        if event in _MAKERS:
            return f"making a {event.split('.')[0]} object" if learner_asks() else None
        if event == "open":
            path, mode, flags = args[0], args[1], args[2]
            if private_path(path) and learner_asks():
                return "opening a file of the grader's checks"
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing and outside_scratch(path):
                return f"writing {os.fsdecode(path)} outside the scratch folder"
            return None
        if event in _PATH_EVENTS:
            if any(outside_scratch(a) for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))):
                return f"{event} outside the scratch folder"
            return None
        if event in ("os.kill", "os.killpg"):
            return None if args[0] in (pid, 0) else f"{event} of another process"
        if event.startswith("ctypes."):
            return "ctypes"
        return None

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event not in _WATCHED and not event.startswith("ctypes."):
            return
        me = ident()
        if inside[0] == me:
            return
        inside[0] = me
        try:
            reason = decide(event, args)
            if reason is None:
                return
            cell, line = where()
            report(event, reason, cell, line)
        finally:
            inside[0] = None
        if event == _SEAL_EVENT:
            return  # the sealed module raises its own PermissionError
        raise PermissionError(f"refused by the grader: {reason}")

    def tampered() -> list[str]:
        inside[0] = ident()
        try:
            return baseline.changed()
        finally:
            inside[0] = None

    sys.addaudithook(hook)
    return Guard(tampered)
