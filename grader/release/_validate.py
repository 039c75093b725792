"""Step 1: refuse to build a notebook with authoring mistakes, naming the notebook and the cell of each."""

from __future__ import annotations

from grader._api import exercise_notebook
from grader._cells import BEGIN, END, check_call_id, exercise_id, has_marker, is_check, is_solution
from grader._nbio import Notebook
from grader._registry import ChecksError
from grader.release._context import AuthoringError, BuildContext

__all__ = ["validate"]


def _marker_problem(source: str) -> str | None:
    open_ = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if open_:
                return f"a second {BEGIN} before {END}"
            open_ = True
        elif stripped == END:
            if not open_:
                return f"{END} without {BEGIN} before it"
            open_ = False
        elif BEGIN in stripped or END in stripped:
            return "a solution marker must be alone on its line"
    return f"{BEGIN} without {END}" if open_ else None


def _id_problem(ex_id: str | None, ctx: BuildContext) -> str | None:
    if ex_id is None:
        return 'has no exercise id: add metadata {"weekfour": {"exercise": "N.M"}}'
    try:
        number = exercise_notebook(ex_id)
    except ValueError as exc:
        return str(exc)
    if number != ctx.number:
        return f"exercise {ex_id} belongs to notebook {number:02d}, but this is notebook {ctx.number:02d}"
    return None


def validate(nb: Notebook, ctx: BuildContext) -> Notebook:
    problems: list[str] = []
    solutions: dict[str, int] = {}
    checks: dict[str, int] = {}
    for index, cell in enumerate(nb["cells"]):
        where = ctx.where(index, cell.get("source", ""))
        if has_marker(cell) and not is_solution(cell):
            problems.append(f"{where}: solution markers in a cell not tagged 'solution'; tag it or remove them")
            continue
        if not (is_solution(cell) or is_check(cell)):
            continue
        ex_id = exercise_id(cell)
        id_problem = _id_problem(ex_id, ctx)
        if id_problem is not None or ex_id is None:
            problems.append(f"{where}: {id_problem}")
            continue
        seen = solutions if is_solution(cell) else checks
        role = "solution" if is_solution(cell) else "check"
        if ex_id in seen:
            problems.append(f"{where}: duplicate exercise id {ex_id}: cell {seen[ex_id]} is already its {role} cell")
            continue
        seen[ex_id] = index
        if is_solution(cell):
            marker = _marker_problem(cell["source"])
            if marker is not None:
                problems.append(f"{where}: {marker}")
            elif BEGIN not in cell["source"]:
                problems.append(f"{where}: a solution cell needs {BEGIN} / {END} around the solution")
        elif check_call_id(cell["source"]) != ex_id:
            problems.append(f'{where}: a check cell\'s source must be exactly check("{ex_id}")')
    for ex_id, index in solutions.items():
        if ex_id not in checks:
            problems.append(
                f'{ctx.name}, cell {index}: exercise {ex_id} has no check cell; add one with check("{ex_id}")'
            )
    try:
        declared = ctx.registry.exercises(ctx.number)
    except ChecksError as exc:
        problems.append(f"{ctx.name}: {exc}")
        declared = {}
    else:
        for ex_id in declared:
            if ex_id not in checks:
                problems.append(f"{ctx.name}: the checks declare exercise {ex_id}, which this notebook does not have")
        for ex_id, index in checks.items():
            if ex_id not in declared:
                problems.append(
                    f"{ctx.name}, cell {index}: exercise {ex_id} has no check function; add one with "
                    f'@exercise("{ex_id}", points=...) in grader/checks/nb{ctx.number:02d}.py'
                )
    if problems:
        raise AuthoringError(problems)
    return nb
