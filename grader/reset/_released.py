"""Where the released version of a learner's notebook comes from, tried in this order:

1. ``--from PATH``: a released notebook the learner names (e.g. a fresh download of the course's notebooks/);
2. the course repository: ``solutions/NAME`` rebuilt by the release pipeline (exactly what ``make release`` writes);
3. git: the notebook as it was when it was first committed (in a repository made from the learner template, the
   template's own commit).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from grader._nbio import Notebook, NotebookError, load_notebook, loads_notebook

__all__ = ["ReleasedNotFound", "released_notebook"]


class ReleasedNotFound(LookupError):
    """No released version of the notebook could be found; the message says how to give one."""


def _from_solutions(path: Path) -> Notebook | None:
    """The release build of ``solutions/NAME`` in the repository above ``path``, when there is one."""
    for parent in path.resolve().parents:
        source = parent / "solutions" / path.name
        if source.is_file() and (parent / "notebooks").is_dir():
            try:
                from grader._cells import notebook_number
                from grader._registry import CheckRegistry
                from grader.release import BuildContext, build_notebook
            except ModuleNotFoundError:  # the learner template ships no release pipeline
                return None
            number = notebook_number(path.name)
            if number is None:
                return None
            return build_notebook(load_notebook(source), BuildContext(path.name, number, CheckRegistry()))
    return None


def _git(path: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=path.resolve().parent, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _from_git(path: Path) -> Notebook | None:
    """The notebook as first committed (the oldest commit that added the file)."""
    name = path.resolve().name
    added = _git(path, "log", "--diff-filter=A", "--format=%H", "--", name)
    commits = (added or "").split()
    if not commits:
        return None
    relative = _git(path, "ls-files", "--full-name", "--", name)
    where = (relative or "").strip().splitlines()
    if not where:
        where = [(_git(path, "rev-parse", "--show-prefix") or "").strip() + name]
    text = _git(path, "show", f"{commits[-1]}:{where[0]}")
    if text is None:
        return None
    try:
        return loads_notebook(text, name=name)
    except NotebookError:
        return None


def released_notebook(path: Path, *, source: Path | None = None) -> tuple[Notebook, str]:
    """The released version of the learner notebook at ``path``, and where it came from (for the message)."""
    if source is not None:
        return load_notebook(source), str(source)
    built = _from_solutions(path)
    if built is not None:
        return built, "the release build of solutions/" + path.name
    first = _from_git(path)
    if first is not None:
        return first, f"{path.name} as first committed to git"
    raise ReleasedNotFound(
        f"no released version of {path.name} was found (no solutions/ here, and git has no first version of it). "
        "Pass one with --from PATH: the notebook as you received it, e.g. from the course repository's notebooks/."
    )
