"""Where checks come from: ``grader/checks/nbNN.py`` plus ``nbNN.py`` in checks folders.

The public checks are ``grader/checks/nbNN.py``. The course repository keeps its hidden checks apart, in
``instructor/checks/nbNN.py`` beside the ``grader`` package, loaded whenever that folder exists (the learner
template has none). More folders come from ``--checks DIR`` (grader CLI) and the ``WEEKFOUR_CHECKS`` environment
variable (several folders separated by ``os.pathsep``); the grader passes every folder to the kernel it runs in that
variable, so the graded notebook sees the same checks. Modules are loaded lazily, one notebook at a time, so a broken
module only affects its own notebook.

Without its hidden checks an exercise is worth less here than at grading: ``grader/checks/points.json`` (written by
``python -m grader release``) states each exercise's full points, so ``check()`` can say how many points grading holds.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Final

from grader._api import CheckSpec, exercise_notebook, spec_of

__all__ = [
    "CHECKS_ENV",
    "INSTRUCTOR_CHECKS",
    "POINTS_TABLE",
    "CheckRegistry",
    "ChecksError",
    "ExerciseInfo",
    "module_name",
    "read_points_table",
]

CHECKS_ENV: Final = "WEEKFOUR_CHECKS"
# The course repository's hidden checks: beside the grader package, absent from the learner template.
INSTRUCTOR_CHECKS: Final = Path(__file__).resolve().parents[1] / "instructor" / "checks"
# Every exercise's full points, public and hidden checks together (``python -m grader release`` writes it).
POINTS_TABLE: Final = Path(__file__).resolve().parent / "checks" / "points.json"


class ChecksError(Exception):
    """A check module could not be loaded or declares something inconsistent."""


def module_name(notebook: int) -> str:
    """The check module's file stem for a notebook number: 1 → ``nb01``."""
    return f"nb{notebook:02d}"


@dataclass(slots=True)
class ExerciseInfo:
    """An exercise as the checks declare it."""

    id: str
    checks: list[CheckSpec] = field(default_factory=list)
    stated: int | None = None  # the full points the points table states, when the course has one

    @property
    def title(self) -> str | None:
        return next((c.title for c in self.checks if c.title), None)

    @property
    def max_points(self) -> int:
        """What the checks loaded here are worth: the most a grading run here can award."""
        return sum(c.points for c in self.checks)

    @property
    def full_points(self) -> int:
        """What the exercise is worth at the course's grading: its heading's points. More than :attr:`max_points`
        where hidden checks are absent (the learner template), by the points table."""
        return max(self.max_points, self.stated or 0)

    def selected(self, *, include_hidden: bool) -> list[CheckSpec]:
        return [c for c in self.checks if include_hidden or not c.hidden]


def _dirs_from_env() -> list[Path]:
    raw = os.environ.get(CHECKS_ENV, "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def read_points_table(path: Path = POINTS_TABLE) -> dict[str, int]:
    """``{"1.2": 5, ...}`` from a points table, or ``{}`` when there is none (a course without one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ChecksError(
            f"{path} is not a points table ({exc}): run `python -m grader release` to rewrite it"
        ) from exc
    table = data.get("exercises") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise ChecksError(f"{path} has no exercises table: run `python -m grader release` to rewrite it")
    return {str(k): int(v) for k, v in table.items()}


class CheckRegistry:
    """Finds and loads check modules; answers "which checks does exercise X have?"."""

    def __init__(
        self,
        extra_dirs: Iterable[Path | str] = (),
        *,
        builtin: bool = True,
        use_env: bool = True,
        instructor: bool | None = None,
    ) -> None:
        """``builtin``: load ``grader/checks`` (and read its points table); ``instructor`` (default: as ``builtin``):
        load ``instructor/checks`` when it exists; ``use_env``: add the folders of ``WEEKFOUR_CHECKS``."""
        dirs = [Path(d) for d in extra_dirs]
        if use_env:
            dirs += _dirs_from_env()
        for d in dirs:
            if not d.is_dir():
                raise ChecksError(f"checks folder {d} does not exist: pass an existing folder to --checks")
        if (builtin if instructor is None else instructor) and INSTRUCTOR_CHECKS.is_dir():
            dirs.insert(0, INSTRUCTOR_CHECKS)
        self.dirs: tuple[Path, ...] = tuple(dict.fromkeys(d.resolve() for d in dirs))
        self.builtin = builtin
        self._points: dict[str, int] | None = None
        self._cache: dict[int, tuple[tuple[tuple[str, float], ...], list[CheckSpec]]] = {}

    def env_value(self) -> str:
        """The ``WEEKFOUR_CHECKS`` value that gives a kernel the same extra folders."""
        return os.pathsep.join(str(d) for d in self.dirs)

    def _sources(self, notebook: int) -> list[Path]:
        stem = module_name(notebook)
        return [d / f"{stem}.py" for d in self.dirs if (d / f"{stem}.py").is_file()]

    def checks(self, notebook: int) -> list[CheckSpec]:
        """Every check of a notebook (public and hidden), in declaration order, built-in module first."""
        sources = self._sources(notebook)
        stamp = tuple((str(p), p.stat().st_mtime) for p in sources)
        cached = self._cache.get(notebook)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        modules: list[ModuleType] = []
        if self.builtin:
            builtin = _import_builtin(notebook)
            if builtin is not None:
                modules.append(builtin)
        modules += [_import_file(p, index) for index, p in enumerate(sources)]
        specs = _collect(modules, notebook)
        self._cache[notebook] = (stamp, specs)
        return specs

    def points_table(self) -> dict[str, int]:
        """The full points of every exercise as ``grader/checks/points.json`` states them (``{}`` without it)."""
        if self._points is None:
            self._points = read_points_table() if self.builtin else {}
        return self._points

    def exercises(self, notebook: int) -> dict[str, ExerciseInfo]:
        """The notebook's exercises by id, in the order their first check was declared."""
        found: dict[str, ExerciseInfo] = {}
        table = self.points_table()
        for spec in self.checks(notebook):
            found.setdefault(spec.exercise, ExerciseInfo(spec.exercise, stated=table.get(spec.exercise))).checks.append(
                spec
            )
        return found

    def rules(self, notebook: int) -> dict[str, str]:
        """The rules the notebook's exercises state, ``{"N.M/what-it-says": "the rule in words"}``: the ``RULES``
        tables of its check modules, built-in first."""
        found: dict[str, str] = {}
        modules = [_import_builtin(notebook)] if self.builtin else []
        self.checks(notebook)  # loads the private modules
        modules += [sys.modules.get(f"_weekfour_checks_{i}_{p.stem}") for i, p in enumerate(self._sources(notebook))]
        for module in modules:
            table = getattr(module, "RULES", None) if module is not None else None
            if isinstance(table, dict):
                found.update({str(k): str(v) for k, v in table.items()})
        return found

    def exercise(self, exercise_id: str) -> ExerciseInfo | None:
        return self.exercises(exercise_notebook(exercise_id)).get(exercise_id)


def _import_builtin(notebook: int) -> ModuleType | None:
    name = f"grader.checks.{module_name(notebook)}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise ChecksError(f"{name} could not be imported: {exc}. Install what it needs or fix the import.") from exc
    except Exception as exc:
        raise ChecksError(f"{name} failed to load: {type(exc).__name__}: {exc}. Fix the check module.") from exc


def _import_file(path: Path, index: int) -> ModuleType:
    name = f"_weekfour_checks_{index}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ChecksError(f"{path} is not a loadable Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise ChecksError(f"{path} failed to load: {type(exc).__name__}: {exc}. Fix the check module.") from exc
    return module


def _collect(modules: Sequence[ModuleType], notebook: int) -> list[CheckSpec]:
    specs: list[CheckSpec] = []
    seen: dict[str, str] = {}
    for module in modules:
        for value in list(vars(module).values()):
            spec = spec_of(value)
            if spec is None or getattr(value, "__module__", None) != module.__name__:
                continue  # not a check, or one imported from elsewhere
            where = getattr(module, "__file__", module.__name__)
            if exercise_notebook(spec.exercise) != notebook:
                raise ChecksError(
                    f"{where}: check {spec.name} is for exercise {spec.exercise}, which is not in notebook "
                    f"{notebook:02d}; move it to {module_name(exercise_notebook(spec.exercise))}.py"
                )
            if spec.key in seen:
                raise ChecksError(
                    f"{where}: two checks of exercise {spec.exercise} are named {spec.name} (the other is in "
                    f"{seen[spec.key]}); give each check function its own name"
                )
            seen[spec.key] = str(where)
            specs.append(spec)
    return specs
