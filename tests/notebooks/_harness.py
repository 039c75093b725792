"""The machinery every notebook test shares: solved namespaces, wrong-answer fixtures, kernel runs, grading.

A **wrong answer** is a file ``wrong/nbNN/<the_mistake>.py`` that starts with two lines, and a third naming the
rules of the exercise (keys of the check module's ``RULES``) that the mistake breaks::

    # Exercise N.M — <the mistake, in words>
    # expect: <a fragment the exercise's feedback must contain>
    # rule: N.M/what-it-says

It is overlaid on the **solved namespace** of its notebook (the setup cell, then every solution cell, of
``solutions/NN-*.ipynb``, executed with no kernel), as if the learner had written everything else right: it only
redefines the names it gets wrong. Then every check of exercise N.M, hidden ones included, runs on that namespace.

End-to-end runs go through a real kernel: :meth:`SolutionNotebook.execute` (nbclient, the solution top to bottom) and
:meth:`SolutionNotebook.execute_learner` (the generated learner version, stubs in place), each at most once per test
run; :func:`grade_both` grades the solution and the learner version of several notebooks with the grader's Python
API, as one cohort of two submissions (one grader process each).
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Any, Final

import nbformat
import pytest

from grader._cells import BEGIN, END, check_call_id, is_check
from grader._registry import CheckRegistry, ExerciseInfo
from grader._runner import SEED_ENV, ExerciseResult
from grader.grade import NotebookScore, find_submission, grade_cohort
from grader.mutate import SolvedNotebook
from grader.release import BuildContext, build_notebook
from grader.testing import run_exercise_on_namespace

__all__ = [
    "NOTEBOOKS",
    "ROOT",
    "SOLUTION_SEEDS",
    "WRONG",
    "WRONG_SEEDS",
    "Grades",
    "SolutionNotebook",
    "WrongAnswer",
    "assert_full_marks_and_zero",
    "assert_passes",
    "assert_rejected_for_its_mistake",
    "error_outputs",
    "grade_both",
    "notebook",
    "output_text",
    "wrong_answers",
]

ROOT: Final = Path(__file__).resolve().parents[2]
WRONG: Final = Path(__file__).parent / "wrong"
# The notebooks this harness covers.
NOTEBOOKS: Final = (0, 1, 2, 3, 4, 5, 6)
SOLUTION_SEEDS: Final = (1, 2, 3, 4, 5)
WRONG_SEEDS: Final = (11, 12)
# The seed of the end-to-end gradings: fixed, so that a run is the same every time.
GRADING_SEED: Final = 20260
KERNEL_TIMEOUT: Final = 120
GRADER_TIMEOUT: Final = 60.0

_HEADER: Final = re.compile(r"\A# Exercise (\d+\.\d+) — (\S.*)\n# expect: (\S.*)\n(?:# rule: (\S.*)\n)?")
_BROKEN_CHECK: Final = "tell your instructor"


def _compile(source: str, filename: str) -> CodeType:
    # dont_inherit: this module's `from __future__ import annotations` must not leak into the notebook's code
    # (pydantic would then see string annotations it cannot resolve outside a real module).
    return compile(source, filename, "exec", dont_inherit=True)


# --- wrong answers ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WrongAnswer:
    """One fixture: a plausible mistake for one exercise, and the fragment of feedback that names it."""

    path: Path
    exercise: str
    mistake: str
    expect: str
    rules: tuple[str, ...] = ()

    @property
    def notebook(self) -> int:
        return int(self.exercise.split(".")[0])

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"

    @classmethod
    def read(cls, path: Path) -> WrongAnswer:
        match = _HEADER.match(path.read_text(encoding="utf-8"))
        if match is None:
            raise ValueError(
                f"{path.parent.name}/{path.name} must start with the two lines '# Exercise N.M — <the mistake>' and "
                "'# expect: <a fragment of the feedback it must get>': add them."
            )
        rules = tuple(r.strip() for r in (match.group(4) or "").split(",") if r.strip())
        return cls(path, match.group(1), match.group(2).strip(), match.group(3).strip(), rules)

    def code(self) -> CodeType:
        return _compiled_wrong_answer(self.path)


@functools.cache
def _compiled_wrong_answer(path: Path) -> CodeType:
    return _compile(path.read_text(encoding="utf-8"), f"<wrong/{path.parent.name}/{path.name}>")


def wrong_answers(notebooks: Iterable[int] = NOTEBOOKS) -> list[WrongAnswer]:
    """Every wrong answer of these notebooks, sorted by notebook then file name."""
    return [WrongAnswer.read(p) for n in notebooks for p in sorted((WRONG / f"nb{n:02d}").glob("*.py"))]


# --- the solution notebook ----------------------------------------------------------------------------------------


class SolutionNotebook:
    """``solutions/NN-*.ipynb``, and what the tests do with it."""

    def __init__(self, number: int) -> None:
        found = sorted((ROOT / "solutions").glob(f"{number:02d}-*.ipynb"))
        if len(found) != 1:
            raise LookupError(f"expected one solutions/{number:02d}-*.ipynb, found {[p.name for p in found]}")
        self.number = number
        self.path = found[0]
        self.name = self.path.name

    def read(self) -> nbformat.NotebookNode:
        """A fresh copy of the notebook, to change or execute."""
        return nbformat.read(self.path, as_version=4)

    def exercises(self) -> dict[str, ExerciseInfo]:
        """The exercises ``grader/checks/nbNN.py`` declares, in declaration order."""
        return CheckRegistry(use_env=False).exercises(self.number)

    def check_cells(self) -> list[str | None]:
        """The exercise id of every check cell, in notebook order (None for a cell that is not ``check("N.M")``)."""
        return [check_call_id(c.source) for c in self.read().cells if is_check(c)]

    # no kernel: the solved namespace ----------------------------------------------------------------------------

    @functools.cached_property
    def solved(self) -> SolvedNotebook:
        return SolvedNotebook(self.path, self.number)

    def namespace(self, overlay: WrongAnswer | str | None = None) -> dict[str, Any]:
        """A fresh solved namespace, with ``overlay`` (a wrong answer, or source) executed on top."""
        if isinstance(overlay, WrongAnswer):
            return self.solved.namespace(overlay=overlay.code())
        if overlay is not None:
            return self.solved.namespace(overlay=_compile(overlay, "<overlay>"))
        return self.solved.namespace()

    def run(self, exercise: str, *, seed: int, overlay: WrongAnswer | str | None = None) -> ExerciseResult:
        """Every check of ``exercise`` (hidden ones included) on a fresh solved namespace with ``overlay``."""
        return run_exercise_on_namespace(exercise, self.namespace(overlay), seed=seed)

    # with a kernel ----------------------------------------------------------------------------------------------

    def learner(self) -> dict[str, Any]:
        """The learner version, built as ``make release`` builds it (as nbformat nodes: the release adds note cells as
        plain dicts, which nbformat and nbclient do not take)."""
        built = build_notebook(self.read(), BuildContext(self.name, self.number, CheckRegistry(use_env=False)))
        return nbformat.from_dict(built)

    @functools.cached_property
    def _executed(self) -> nbformat.NotebookNode:
        return _execute(self.read(), allow_errors=False)

    @functools.cached_property
    def _executed_learner(self) -> nbformat.NotebookNode:
        return _execute(self.learner(), allow_errors=True)

    def execute(self) -> nbformat.NotebookNode:
        """The solution run top to bottom in a kernel (at most once per run); a cell that raises fails the run."""
        return self._executed

    def execute_learner(self) -> nbformat.NotebookNode:
        """The learner version run top to bottom in a kernel (at most once per run), errors kept in the outputs."""
        return self._executed_learner


@functools.cache
def notebook(number: int) -> SolutionNotebook:
    return SolutionNotebook(number)


def _execute(nb: nbformat.NotebookNode, *, allow_errors: bool) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    resources = {"metadata": {"path": str(ROOT)}}
    client = NotebookClient(
        nb, timeout=KERNEL_TIMEOUT, kernel_name="python3", allow_errors=allow_errors, resources=resources
    )
    client.execute()
    return nb


def error_outputs(nb: nbformat.NotebookNode, *, except_tags: Sequence[str] = ()) -> list[str]:
    """``"<first line of the cell>: <error>"`` for every cell that raised, except cells with one of these tags."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or set(except_tags) & set(cell.metadata.get("tags", [])):
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                head = cell.source.splitlines()[0] if cell.source else ""
                found.append(f"{head}: {out.ename}: {out.evalue}")
    return found


def output_text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook printed or displayed as text (streams and ``text/plain``), one output a line."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            parts.append(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


# --- check results ------------------------------------------------------------------------------------------------


def assert_passes(result: ExerciseResult) -> None:
    """The exercise passed every check, for full points."""
    assert result.passed, f"{result.id}: {result.feedback}"
    assert result.points == result.max_points > 0, result


def assert_rejected_for_its_mistake(result: ExerciseResult, wrong: WrongAnswer) -> None:
    """Rejected by a check that ran to the end and taught: the feedback names the mistake, no check broke."""
    seed = result.checks[0].seed if result.checks else None
    assert not result.passed, f"{wrong.id} passed exercise {wrong.exercise} on seed {seed}"
    assert result.points < result.max_points
    failed = [c for c in result.checks if not c.passed]
    assert all(c.status == "failed" and c.message.strip() for c in failed), [
        (c.name, c.status, c.message) for c in failed
    ]
    assert _BROKEN_CHECK not in result.feedback, result.feedback
    assert wrong.expect in result.feedback, f"{wrong.id} should get feedback with {wrong.expect!r}:\n{result.feedback}"
    if wrong.rules:
        info = CheckRegistry(use_env=False).exercise(wrong.exercise)
        assert info is not None
        rules_of = {spec.name: set(spec.rules) for spec in info.checks if not spec.hidden}
        caught = {c.name for c in failed if set(wrong.rules) & rules_of.get(c.name, set())}
        assert caught, (
            f"{wrong.id} breaks {', '.join(wrong.rules)}, but no public check naming that rule rejected it; "
            f"the checks that did: {[c.name for c in failed]}"
        )


# --- grading end to end -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grades:
    """One notebook as the grader scored it: the solution, and the generated learner version."""

    solved: NotebookScore
    learner: NotebookScore


def grade_both(numbers: Sequence[int], folder: Path) -> dict[int, Grades]:
    """Grade the solution and the learner version of each notebook: a cohort of two submissions, in parallel."""
    solved, learner = folder / "solved", folder / "learner"
    solved.mkdir()
    learner.mkdir()
    names = []
    for number in numbers:
        nb = notebook(number)
        shutil.copy(nb.path, solved / nb.name)
        nbformat.write(nb.learner(), learner / nb.name)
        names.append(nb.name)
    registry = CheckRegistry(use_env=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SEED_ENV, str(GRADING_SEED))  # the kernel inherits it: every check runs on this seed
        subs = [find_submission(f, names) for f in (solved, learner)]
        full, zero = grade_cohort(subs, registry=registry, timeout=GRADER_TIMEOUT, jobs=2, progress=False)
    by_name = {s.name: Grades(s, z) for s, z in zip(full.notebooks, zero.notebooks, strict=True)}
    return {number: by_name[notebook(number).name] for number in numbers}


def assert_full_marks_and_zero(number: int, grades: Grades) -> None:
    """The grader gives the solution full marks and the untouched learner version zero, saying "not attempted";
    neither is flagged for review."""
    built = json.dumps(notebook(number).learner())
    assert BEGIN not in built and END not in built, "the learner version still holds a solution"
    exercises = list(notebook(number).exercises())
    book = grades.solved
    assert book.error is None, book.error
    assert [e.id for e in book.exercises] == exercises
    assert book.score == book.max_score > 0, [(e.id, e.feedback) for e in book.exercises if not e.passed]
    assert book.flags == [], book.flags  # honest work never trips the verdict process's guard or the static scan
    book = grades.learner
    assert book.error is None, book.error
    assert [e.id for e in book.exercises] == exercises
    assert book.score == 0, [(e.id, e.points) for e in book.exercises]
    assert book.flags == [], book.flags
    for e in book.exercises:
        assert "not attempted yet" in e.feedback, (e.id, e.feedback)
