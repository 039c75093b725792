"""The graded copy, sliced to what the checks need: the analysis, and the proof that slicing changes no grade.

Grades must be identical sliced and ``--full`` (the whole notebook run): for the course's own notebooks carrying wrong
answers — each exercise's solution cell with its first wrong-answer fixture (``tests/notebooks/wrong/``) appended, as a
learner who got that one thing wrong would have it — here, and for every fixture submission of the fixture course
(hostile and forgery cases included) in ``test_grade_cases.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from grader._cells import exercise_id, is_code, is_solution, story_stamp
from grader._nbio import dumps_notebook, load_notebook
from grader._registry import CheckRegistry
from grader.grade import Limits, SubmissionScore, containment, find_submission, grade_cohort
from grader.grade._graded_copy import make_graded_copy
from grader.grade._slice import analyse, slice_graded_copy
from grader.grade._submission import _check_names, _story_folders

ROOT = Path(__file__).resolve().parents[2]
WRONG = ROOT / "tests" / "notebooks" / "wrong"
contained_only = pytest.mark.skipif(not containment().files, reason="needs Linux Landlock (kernels contained)")


def test_a_cell_binds_reads_and_changes_by_name() -> None:
    uses = analyse(
        "import pandas as pd\nfrom weekfour import sandbox\n\nLIMIT = 5\n\n\ndef guard(text, limit=LIMIT):\n"
        "    words = text.split()\n    return len(words) <= limit and budget.left > 0\n\n\n"
        "agent.reset()\nlog[0] = None\ntotals += 1\nreport = pd.DataFrame(rows)"
    )
    assert uses.binds == {"pd", "sandbox", "LIMIT", "guard", "totals", "report"}
    assert uses.reads >= {"LIMIT", "len", "budget", "agent", "log", "totals", "pd", "rows"}
    assert not uses.reads & {"text", "words", "limit"}  # a function's own names are not reads of the notebook
    assert uses.changes == {"agent", "log", "totals", "pd"}
    assert not uses.opaque


@pytest.mark.parametrize("source", ["%env X=1", "!ls", "exec(code)", "globals()['x'] = 1", "from m import *", "def ("])
def test_a_cell_the_analysis_cannot_be_sure_of_is_opaque(source: str) -> None:
    assert analyse(source).opaque


def _graded(number: int) -> tuple[dict[str, Any], list[dict[str, Any]], CheckRegistry]:
    registry = CheckRegistry(use_env=False)
    path = next((ROOT / "solutions").glob(f"{number:02d}-*.ipynb"))
    exercises = registry.exercises(number)
    graded = make_graded_copy(load_notebook(path), exercises)
    return graded, [c for c in graded["cells"] if is_code(c)], registry


def _slice(graded: dict[str, Any], registry: CheckRegistry, number: int) -> list[dict[str, Any]]:
    from grader.grade._slice import authored_story

    sliced, _ = slice_graded_copy(
        graded,
        authored=authored_story(_story_folders(registry), number),
        needed_by_checks=_check_names(registry, registry.exercises(number)),
    )
    return [c for c in sliced["cells"] if is_code(c)]


# The story cells the checks need, found by hand for the mutation harness (grader/mutate/_solved.py): the first
# cell of notebooks 01-06 (imports, types), the catalog of notebook 05 and the re-ask prompt of notebook 06.
NEEDED: dict[int, tuple[str, ...]] = {0: (), 1: (), 2: (), 3: (), 4: (), 5: ("CATALOG = ",), 6: ("REASK",)}


@pytest.mark.parametrize("number", sorted(NEEDED))
def test_the_course_keeps_its_setup_its_solutions_and_what_they_read(number: int) -> None:
    graded, cells, registry = _graded(number)
    kept = _slice(graded, registry, number)
    story = [c for c in kept if not is_solution(c) and "graded" not in c["metadata"].get("weekfour", {})]
    setup = [cells[0]] if number else []  # notebook 00's solution reads nothing of its story
    assert story == setup + [next(c for c in cells if c["source"].startswith(start)) for start in NEEDED[number]]
    assert all(c in kept for c in cells if is_solution(c) or "graded" in c["metadata"].get("weekfour", {}))


def test_a_story_cell_the_learner_changed_or_added_is_kept() -> None:
    graded, cells, registry = _graded(4)
    story = next(c for c in cells[1:] if not is_solution(c) and "graded" not in c["metadata"].get("weekfour", {}))
    story["source"] += "\n# my note"
    added: dict[str, Any] = {
        "cell_type": "code",
        "metadata": {},
        "outputs": [],
        "execution_count": None,
        "source": "import random",
    }
    graded["cells"].append(added)
    kept = _slice(graded, registry, 4)
    assert story in kept and added in kept


def test_a_story_cell_that_rebinds_a_name_a_solution_defines_is_kept() -> None:
    graded, cells, registry = _graded(4)
    solution = next(c for c in cells if is_solution(c))
    name = next(iter(sorted(analyse(solution["source"]).binds)))
    story = next(c for c in cells[1:] if not is_solution(c) and "graded" not in c["metadata"].get("weekfour", {}))
    story["source"] = f"{name} = None"
    from grader.grade import _slice as slice_module

    folders = _story_folders(registry)
    authored = slice_module.authored_story(folders, 4) | {story_stamp(story["source"])}
    sliced, _ = slice_graded_copy(graded, authored=authored, needed_by_checks=_check_names(registry, {}))
    assert story in sliced["cells"]


# --- same grades, sliced and full ---------------------------------------------------------------------------------


def grades_of(results: list[SubmissionScore]) -> list[Any]:
    """What a report shows of each notebook, for comparing two gradings (used by test_grade_cases.py too)."""
    return [
        (
            s.learner,
            n.name,
            n.error,
            [(e.id, e.points, e.max_points, e.passed, _steady(e.feedback)) for e in n.exercises],
        )
        for s in results
        for n in s.notebooks
    ]


def _steady(feedback: str) -> str:
    """Feedback without what differs from run to run by design: the seed, simulated timings."""
    return re.sub(r"seed \d+|WEEKFOUR_SEED=\d+", "seed N", feedback)


def _both_ways(submissions: list[Path], expected: list[str], registry: CheckRegistry) -> tuple[Any, Any]:
    subs = [find_submission(p, expected) for p in submissions]
    sliced = grade_cohort(subs, registry=registry, timeout=30, jobs=2, progress=False)
    full = grade_cohort(subs, registry=registry, timeout=30, jobs=2, progress=False, limits=Limits(full=True))
    return grades_of(sliced), grades_of(full)


def _wrong_fixtures() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(WRONG.glob("nb*/*.py")):
        text = path.read_text(encoding="utf-8")
        match = re.match(r"# Exercise (\d+\.\d+)", text)
        if match:
            found.setdefault(match.group(1), []).append(text)
    return found


def _wrong_course(folder: Path, pick: int) -> Path:
    """The course's solutions, every exercise's solution cell followed by its ``pick``-th wrong answer."""
    folder.mkdir()
    fixtures = _wrong_fixtures()
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]-*.ipynb")):
        nb = load_notebook(path)
        for cell in nb["cells"]:
            options = fixtures.get(exercise_id(cell) or "", [])
            if is_solution(cell) and options:
                cell["source"] += "\n\n\n" + options[pick if pick < len(options) else -1]
        (folder / path.name).write_text(dumps_notebook(nb), encoding="utf-8")
    return folder


@contained_only
def test_the_course_with_wrong_answers_grades_the_same_sliced_and_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEEKFOUR_SEED", "12")
    registry = CheckRegistry(use_env=False)
    expected = sorted(p.name for p in (ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))
    sliced, full = _both_ways([_wrong_course(tmp_path / "wrong", 0)], expected, registry)
    assert sliced == full, [(a, b) for a, b in zip(sliced, full, strict=True) if a != b]
    lost = sum(1 for _, _, _, exercises in sliced for (_, points, most, _, _) in exercises if points < most)
    assert lost >= 25, "the wrong answers should cost points in most exercises"
