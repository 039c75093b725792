"""Step 2: replace the code between solution markers with a stub that raises NotImplementedError."""

from __future__ import annotations

from grader._cells import BEGIN, END, exercise_id, is_solution
from grader._nbio import Notebook
from grader.release._context import BuildContext

__all__ = ["clear_solutions", "stub_line"]


def stub_line(ex_id: str, title: str | None, indent: str) -> str:
    label = f"Exercise {ex_id} ({title})" if title else f"Exercise {ex_id}"
    return f'{indent}raise NotImplementedError("{label}: replace this line with your code")'


def _clear(source: str, ex_id: str, title: str | None) -> str:
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            inside = True
            out.append(stub_line(ex_id, title, line[: len(line) - len(line.lstrip())]))
        elif stripped == END:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def clear_solutions(nb: Notebook, ctx: BuildContext) -> Notebook:
    exercises = ctx.registry.exercises(ctx.number)
    for cell in nb["cells"]:
        ex_id = exercise_id(cell)
        if is_solution(cell) and ex_id is not None:
            info = exercises.get(ex_id)
            cell["source"] = _clear(cell["source"], ex_id, info.title if info else None)
    return nb
