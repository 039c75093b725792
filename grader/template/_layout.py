"""What the learner template holds, and what it leaves in the course repository.

The template is what a learner clones: the notebooks, the course kit, the grader's runtime with the public checks, the
set-up files and the learner workflows. The course repository keeps the rest: ``solutions/`` and
``solutions/equivalent-mutants/``, the hidden checks (``instructor/``), the tests and their wrong-answer fixtures,
the authoring docs, the benchmarks, the project's own CI and cohort workflows, and the grader's authoring tools
(``release`` and ``mutants`` need ``solutions/``; ``template`` is this command).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

__all__ = ["FILES", "GRADER_LEFT_OUT", "LEFT_OUT_NAMES", "TREES", "WORKFLOWS_COPIED", "course_files"]

# Folders copied whole (minus caches), then single files, relative to the course repository's top folder.
TREES: Final = ("notebooks", "weekfour", "grader", "requirements", ".devcontainer")
FILES: Final = ("pyproject.toml", "environment.yml", "postBuild", ".gitattributes", ".gitignore")
WORKFLOWS_COPIED: Final = ("grade.yml",)  # classroom.yml is written for the template's own checks
# Parts of the grader package that are the instructor's tools, not the learner's runtime.
GRADER_LEFT_OUT: Final = ("mutate", "release", "template", "testing.py")
LEFT_OUT_NAMES: Final = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache")
_LEFT_OUT_SUFFIXES: Final = (".pyc", ".pyo")


def _wanted(relative: Path) -> bool:
    parts = relative.parts
    if any(p in LEFT_OUT_NAMES or p.endswith(".egg-info") for p in parts):
        return False
    if any(p.startswith(".") for p in parts[1:]):  # a learner's backups, editor and tool folders
        return False
    if parts[0] == "notebooks" and (len(parts) != 2 or relative.suffix != ".ipynb"):
        return False
    if relative.suffix in _LEFT_OUT_SUFFIXES:
        return False
    return not (parts[0] == "grader" and len(parts) > 1 and parts[1] in GRADER_LEFT_OUT)


def course_files(root: Path) -> list[Path]:
    """The course's files the template copies as they are, relative to ``root``, sorted."""
    found: list[Path] = []
    for tree in TREES:
        base = root / tree
        if base.is_dir():
            found += [p.relative_to(root) for p in base.rglob("*") if p.is_file()]
    found += [Path(name) for name in FILES if (root / name).is_file()]
    found += [Path(".github", "workflows", name) for name in WORKFLOWS_COPIED]
    return sorted(p for p in found if _wanted(p) and (root / p).is_file())
