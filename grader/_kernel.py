"""What runs inside the learner's kernel: ``check("1.2")``, ``progress()``, and the grader's graded cells.

``check`` runs the public checks of one exercise against the notebook's globals and shows the result at once (HTML in
Jupyter, text elsewhere). On failure it raises :class:`CheckError`, so a "Run All" or nbval sees the cell fail; the
exception renders as one short line in IPython (``_render_traceback_``), never as a grader traceback.

``run_graded`` is what the grader's graded copy calls in each injected cell: one check function (public or hidden),
its result appended as a JSON line to the file named by ``WEEKFOUR_RESULTS`` so the grader can read the feedback.
This module imports nothing heavy: ``check()`` must answer in well under half a second.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Final

from grader._api import exercise_notebook
from grader._display import html_progress, html_result, text_progress, text_result
from grader._registry import CheckRegistry, ChecksError
from grader._runner import CheckResult, ExerciseResult, new_seed, run_check, run_exercise

__all__ = ["RESULTS_ENV", "CheckError", "check", "progress", "progress_results", "run_graded"]

RESULTS_ENV: Final = "WEEKFOUR_RESULTS"
_MESSAGE_LIMIT: Final = 4000

_registry: CheckRegistry | None = None
_last_notebook: int | None = None


class CheckError(Exception):
    """An exercise's checks did not pass. IPython shows only the short message, not a traceback."""

    def __init__(self, message: str, *, short: str | None = None) -> None:
        super().__init__(message)
        self.short = short or message

    def _render_traceback_(self) -> list[str]:
        return self.short.splitlines()


def _get_registry() -> CheckRegistry:
    global _registry
    if _registry is None:
        _registry = CheckRegistry()
    return _registry


def _shell() -> Any:
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None) if ipython is not None else None
    return get() if get is not None else None


def _in_jupyter() -> bool:
    shell = _shell()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _user_namespace(depth: int) -> dict[str, Any]:
    shell = _shell()
    if shell is not None:
        user_ns: dict[str, Any] = shell.user_ns
        return user_ns
    return sys._getframe(depth + 1).f_globals


def _show(text: str, html_text: str) -> None:
    if _in_jupyter():
        from IPython.display import HTML, display

        display(HTML(html_text))
    else:
        print(text)


def _fail(message: str) -> CheckError:
    """An error for a usage problem (unknown exercise, broken checks): shown as is."""
    return CheckError(message)


def check(exercise_id: str) -> None:
    """Run the public checks of exercise ``exercise_id`` (e.g. ``"1.2"``) on this notebook's code and show the result.

    Raises :class:`CheckError` when a check does not pass, so "Run All" stops being green until it does.
    """
    global _last_notebook
    try:
        notebook = exercise_notebook(exercise_id)
        info = _get_registry().exercise(exercise_id)
    except (ValueError, ChecksError) as exc:
        raise _fail(str(exc)) from None
    if info is None:
        raise _fail(
            f"There is no exercise {exercise_id} in notebook {notebook:02d}'s checks. Check the id under the "
            'exercise\'s heading (ids look like "1.2").'
        )
    _last_notebook = notebook
    specs = info.selected(include_hidden=False)
    if not specs:
        print(f"Exercise {exercise_id} has no public checks: the grader checks it (run `make grade`).")
        return
    later = info.full_points - sum(c.points for c in specs)
    result = run_exercise(exercise_id, info.title, specs, _user_namespace(1), seed=new_seed(), later=later)
    _show(text_result(result), html_result(result))
    if not result.passed:
        if _in_jupyter():
            raise CheckError(text_result(result), short=f"Exercise {exercise_id}: not passed yet (see above).")
        raise CheckError(text_result(result))


def _resolve_notebook(notebook: int | str | None) -> int:
    if notebook is not None:
        match = re.match(r"\d+", str(notebook))
        if match:
            return int(match.group())
    if _last_notebook is not None:
        return _last_notebook
    session = os.path.basename(os.environ.get("JPY_SESSION_NAME", ""))
    match = re.match(r"(\d+)-", session)
    if match:
        return int(match.group(1))
    raise _fail("progress() cannot tell which notebook this is: call it with the number, e.g. progress(1).")


def progress(notebook: int | str | None = None) -> None:
    """Run every exercise's public checks of this notebook (or notebook ``notebook``) and show an overview."""
    results = progress_results(notebook, _user_namespace(1))
    _show(text_progress(results), html_progress(results))


def progress_results(
    notebook: int | str | None = None, user_ns: MutableMapping[str, Any] | None = None
) -> list[ExerciseResult]:
    """The results :func:`progress` shows, without showing them (``user_ns`` defaults to the caller's globals)."""
    number = _resolve_notebook(notebook)
    try:
        exercises = _get_registry().exercises(number)
    except ChecksError as exc:
        raise _fail(str(exc)) from None
    user_ns = _user_namespace(1) if user_ns is None else user_ns
    seed = new_seed()
    results = []
    for ex in exercises.values():
        public = ex.selected(include_hidden=False)
        later = ex.full_points - sum(c.points for c in public)
        results.append(run_exercise(ex.id, ex.title, public, user_ns, seed=seed, later=later))
    return results


def _record(result: CheckResult) -> None:
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(result.to_row(message_limit=_MESSAGE_LIMIT)) + "\n")


def run_graded(exercise_id: str, check_name: str) -> None:
    """The grader's injected cell: run one check (public or hidden), record it, raise when it fails."""
    try:
        info = _get_registry().exercise(exercise_id)
    except (ValueError, ChecksError) as exc:
        raise _fail(str(exc)) from None
    spec = next((c for c in info.checks if c.name == check_name), None) if info else None
    if spec is None:
        raise _fail(f"The grader has no check {check_name} for exercise {exercise_id}.")
    result = run_check(spec, _user_namespace(1), seed=new_seed())
    _record(result)
    label = "hidden check" if spec.hidden else "check"
    summary = f"{exercise_id} {label} {check_name}: {result.status} ({result.points}/{result.max_points})"
    print(summary)
    if not result.passed:
        raise CheckError(f"{summary}\n{result.message}")
