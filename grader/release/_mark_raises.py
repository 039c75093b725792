"""Step 2 (after validate): a note right above every ``raises-exception`` cell, saying in the notebook why it fails.

A learner who meets a red traceback must be able to tell "this is the lesson" from "this is my bug". Two kinds of
cell carry the tag, and the note says which:

- a cell that breaks **on purpose** (production breaking the day-three agent): "This cell fails on purpose";
- a cell that **needs the learner's code** (it uses a name an exercise's solution defines, directly or through an
  earlier cell): until those exercises are done it stops with ``NotImplementedError``, and the note names them.

Which kind is read from the code, never guessed from the text: the names each solution cell defines (while its full
solution is still there, hence before clear_solutions), followed through every later code cell that uses them.
The note is a markdown cell with a stable id (the cell's own id + ``-note``) and ``weekfour.note`` metadata, so
rebuilding gives the same notebook and tools can tell it from the authored text.
"""

from __future__ import annotations

import ast
from typing import Final

from grader._cells import META_KEY, TAG_RAISES, exercise_id, is_code, is_solution
from grader._nbio import Cell, Notebook, cell_tags
from grader.release._context import BuildContext

__all__ = ["NOTE_KEY", "mark_raises", "note_text"]

NOTE_KEY: Final = "note"  # cell["metadata"]["weekfour"]["note"] == "raises-exception" marks a note this step wrote
_ON_PURPOSE: Final = (
    "> ⚠️ **The next cell fails on purpose.** Its error is the lesson — production breaking the day-three agent, "
    "exactly as it broke for real. Read the traceback, then carry on."
)


def note_text(exercises: list[str]) -> str:
    """The note for a cell that needs these exercises (none: it fails on purpose)."""
    if not exercises:
        return _ON_PURPOSE
    named = _run(exercises) or ", ".join(exercises[:-1]) + (" and " if len(exercises) > 1 else "") + exercises[-1]
    word = "exercises" if len(exercises) > 1 else "exercise"
    return (
        f"> ⚠️ **The next cell needs your {word} {named}.** Until then it stops with `NotImplementedError` (or a "
        "`NameError`): that is expected, not a bug. Come back and run it once the check passes."
    )


def _run(exercises: list[str]) -> str | None:
    """``1.1 to 1.5`` for three or more consecutive exercises of one notebook, else None."""
    parts = [e.split(".") for e in exercises]
    if len(parts) < 3 or any(len(p) != 2 or not p[1].isdigit() for p in parts) or len({p[0] for p in parts}) > 1:
        return None
    minors = [int(p[1]) for p in parts]
    return f"{exercises[0]} to {exercises[-1]}" if minors == list(range(minors[0], minors[0] + len(minors))) else None


def _python(source: str) -> ast.Module | None:
    """The cell's code without IPython magics and shell lines; None when it still does not parse."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _defined(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return names


def _used(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _sort_key(ex_id: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in ex_id.split("."))


def needed_exercises(nb: Notebook) -> dict[int, list[str]]:
    """For each code cell (by index in ``nb["cells"]``): the exercises whose solutions it relies on."""
    owner: dict[str, set[str]] = {}  # name -> the exercises its current definition relies on
    needs: dict[int, list[str]] = {}
    for index, cell in enumerate(nb["cells"]):
        if not is_code(cell):
            continue
        tree = _python(cell.get("source", ""))
        if tree is None:
            continue
        relies = set().union(*(owner.get(name, set()) for name in _used(tree)))
        ex_id = exercise_id(cell)
        if is_solution(cell) and ex_id is not None:
            relies = relies | {ex_id}
        needs[index] = sorted(relies, key=_sort_key)
        for name in _defined(tree):
            owner[name] = relies
    return needs


def _note(cell: Cell, exercises: list[str]) -> Cell:
    return {
        "cell_type": "markdown",
        "id": f"{cell.get('id', 'cell')}-note"[:64],
        "metadata": {META_KEY: {NOTE_KEY: TAG_RAISES}},
        "source": note_text(exercises),
    }


def mark_raises(nb: Notebook, ctx: BuildContext) -> Notebook:
    needs = needed_exercises(nb)
    cells: list[Cell] = []
    for index, cell in enumerate(nb["cells"]):
        if is_code(cell) and TAG_RAISES in cell_tags(cell):
            cells.append(_note(cell, needs.get(index, [])))
        cells.append(cell)
    nb["cells"] = cells
    return nb
