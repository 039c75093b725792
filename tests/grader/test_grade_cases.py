"""Grading end to end, one fixture submission per case, graded together as a cohort (in parallel)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from grader._registry import CheckRegistry
from grader.grade import Limits, SubmissionScore, containment, find_submission, grade_cohort
from grader.grade.reports import read_json

from .conftest import CHECKS, COURSE, FORGERIES, PRIVATE, ROOMY_TIMEOUT, SEED, SUBMISSIONS, Reported

# Hostile cases attack the machine: they are graded only where the kernels run contained.
HOSTILE = {"detached-child", "peer-overwrite", "empties-workdir"}
CONTAINED = containment().files
CASES = sorted(p.name for p in SUBMISSIONS.iterdir() if p.is_dir() and (CONTAINED or p.name not in HOSTILE))
# The cases about a cell that never ends are graded with a short cell timeout; every other case with a roomy one, so
# that no load on the machine (two test workers, each grading two submissions at a time) runs one of its cells out
# of time: the 200,000 lines of huge-output can take longer than 3 s on a busy machine.
LOOPS = {"infinite-loop", "alarm-silenced"}
TIMEOUT = 3.0
contained_only = pytest.mark.skipif(not CONTAINED, reason="needs Linux Landlock (kernels contained)")


def _grade_all(limits: Limits, *, already: Sequence[SubmissionScore] = ()) -> list[SubmissionScore]:
    """Every case and a submission that does not exist, in the order of ``CASES``; the cases in ``already`` (graded
    with the same checks, seed and cell timeout) are taken as they are."""
    registry = CheckRegistry([CHECKS, PRIVATE], use_env=False)
    expected = sorted(p.name for p in (COURSE / "solutions").glob("*.ipynb"))
    done = {r.learner: r for r in already if r.learner in CASES}
    loops = [find_submission(SUBMISSIONS / case, expected) for case in CASES if case in LOOPS and case not in done]
    rest = [find_submission(SUBMISSIONS / c, expected) for c in CASES if c not in LOOPS and c not in done]
    rest.append(find_submission(SUBMISSIONS / "does-not-exist", expected))  # a broken one in the cohort
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WEEKFOUR_SEED", SEED)  # both gradings on one seed: their feedback can be compared
        results = [
            *grade_cohort(loops, registry=registry, timeout=TIMEOUT, jobs=2, progress=False, limits=limits),
            *grade_cohort(rest, registry=registry, timeout=ROOMY_TIMEOUT, jobs=2, progress=False, limits=limits),
        ]
    by_learner = {r.learner: r for r in results} | done
    return [by_learner[case] for case in [*CASES, "does-not-exist"]]


@pytest.fixture(scope="module")
def graded_list(forgeries_reported: Reported) -> list[SubmissionScore]:
    """The cohort as graded by default (sliced); the forgeries as the grade command graded them for test_forgery."""
    forged = [r for r in read_json(forgeries_reported.folder / "grades.json") if r.learner in FORGERIES]
    assert sorted(r.learner for r in forged) == FORGERIES, forgeries_reported.proc.stderr[-2000:]
    return _grade_all(Limits(), already=forged)


@pytest.fixture(scope="module")
def graded(graded_list: list[SubmissionScore]) -> dict[str, SubmissionScore]:
    return {r.learner: r for r in graded_list}


def test_every_case_grades_the_same_sliced_and_full(graded_list: list[SubmissionScore]) -> None:
    """Slicing the graded copy (the default) leaves out only what no check depends on: ``--full`` agrees."""
    from .test_slice import grades_of

    sliced, full = grades_of(graded_list), grades_of(_grade_all(Limits(full=True)))
    timed = _timed_out(sliced) | _timed_out(full)
    raced = _raced(sliced) | _raced(full)
    assert [_steady(n, timed, raced) for n in sliced] == [_steady(n, timed, raced) for n in full]


def _timed_out(notebooks: list[Any]) -> set[tuple[str, str, str]]:
    """The exercises a cell timeout decided: on a loaded machine a slow cell of a loop case can run past the 3-second
    limit in one grading and not in the other, which says nothing about slicing."""
    return {(lr, nb, e[0]) for lr, nb, _, exercises in notebooks for e in exercises if "ran longer than" in e[-1]}


def _raced(notebooks: list[Any]) -> set[tuple[str, str, str]]:
    """The exercises of empties-workdir whose check results were lost: its cell deletes the files of its working
    folder and the one above (the graded copies, the kernel's result rows) while the grader's processes read and
    write theirs there, so which of them it reaches first varies from run to run (either way the exercise scores 0);
    only their feedback is left out of the comparison."""
    return {
        (lr, nb, e[0])
        for lr, nb, _, exercises in notebooks
        for e in exercises
        if lr == "empties-workdir" and any(lost in e[-1] for lost in _LOST)
    }


_LOST = ("failed without a result", "did not run (an earlier problem stopped the notebook)")


def _steady(notebook: Any, timed: set[tuple[str, str, str]], raced: set[tuple[str, str, str]]) -> Any:
    learner, name, error, exercises = notebook
    kept = [e for e in exercises if (learner, name, e[0]) not in timed]
    return learner, name, error, [(*e[:-1], "") if (learner, name, e[0]) in raced else e for e in kept]


def _points(result: SubmissionScore) -> dict[str, tuple[int, int]]:
    return {e.id: (e.points, e.max_points) for e in result.exercises()}


def _feedback(result: SubmissionScore, ex_id: str) -> str:
    return next(e.feedback for e in result.exercises() if e.id == ex_id)


FULL = {"91.1": (1, 1), "91.2": (5, 5), "91.3": (2, 2), "92.1": (1, 1)}


def test_solved_scores_full_marks(graded: dict[str, SubmissionScore]) -> None:
    result = graded["solved"]
    assert _points(result) == FULL and (result.score, result.max_score) == (9, 9)
    assert all(e.passed and e.feedback == "" for e in result.exercises())
    assert [n.error for n in result.notebooks] == [None, None]


def test_unsolved_scores_zero_with_not_attempted_feedback(graded: dict[str, SubmissionScore]) -> None:
    result = graded["unsolved"]
    assert result.score == 0 and result.max_score == 9
    assert all("not attempted yet" in e.feedback for e in result.exercises())


def test_partly_solved_gets_partial_credit_and_hidden_feedback(graded: dict[str, SubmissionScore]) -> None:
    result = graded["partly-solved"]
    assert _points(result) == {"91.1": (1, 1), "91.2": (3, 5), "91.3": (0, 2), "92.1": (1, 1)}
    assert "(hidden check)" in _feedback(result, "91.2")


@pytest.mark.parametrize("case", ["check-cell-edited", "check-cell-deleted"])
def test_tampered_check_cells_do_not_change_the_score(graded: dict[str, SubmissionScore], case: str) -> None:
    points = _points(graded[case])
    assert points["91.1"] == (1, 1)  # solved, so its restored check passes even when the learner deleted it
    assert points["91.2"] == (0, 5) and points["91.3"] == (0, 2)


def test_a_moved_check_cell_changes_nothing(graded: dict[str, SubmissionScore]) -> None:
    assert _points(graded["check-cell-moved"]) == FULL


def test_a_forged_graded_cell_earns_nothing(graded: dict[str, SubmissionScore]) -> None:
    assert graded["forged-graded-cell"].score == 0


def test_an_infinite_loop_costs_only_its_exercise(graded: dict[str, SubmissionScore]) -> None:
    result = graded["infinite-loop"]
    assert _points(result) == {**FULL, "91.1": (0, 1)}
    assert f"ran longer than {TIMEOUT:g} s" in _feedback(result, "91.1")


def test_a_loop_that_silences_the_alarm_costs_only_its_exercise(graded: dict[str, SubmissionScore]) -> None:
    # The verdict process's own alarm cannot stop it: the grader stops that child and goes on without the cell.
    result = graded["alarm-silenced"]
    assert _points(result) == {**FULL, "91.1": (0, 1)}
    assert "ran longer than" in _feedback(result, "91.1")
    assert result.flags == []


def test_a_killed_kernel_costs_only_its_exercises_and_grading_goes_on(graded: dict[str, SubmissionScore]) -> None:
    result = graded["kernel-killed"]
    assert _points(result) == {**FULL, "91.2": (0, 5), "91.3": (0, 2)}
    assert "solution cell of exercise 91.2 made the kernel die" in _feedback(result, "91.2")
    assert "counts_words (while it ran your code) made the kernel die" in _feedback(result, "91.3")


@pytest.mark.parametrize(
    ("case", "message"), [("malformed-json", "is not valid JSON"), ("not-a-notebook", "not a Jupyter notebook")]
)
def test_a_broken_file_scores_zero_with_a_message_and_the_rest_is_graded(
    graded: dict[str, SubmissionScore], case: str, message: str
) -> None:
    broken, good = graded[case].notebooks
    assert broken.error is not None and message in broken.error and "Traceback" not in broken.error
    assert (broken.score, broken.max_score) == (0, 8)
    assert all(message in e.feedback for e in broken.exercises)
    assert (good.score, good.max_score) == (1, 1)


def test_huge_output_does_not_break_the_report(graded: dict[str, SubmissionScore]) -> None:
    result = graded["huge-output"]
    assert _points(result) == FULL
    assert sum(len(e.feedback) for e in result.exercises()) < 10_000


def test_a_missing_notebook_scores_zero_at_its_full_maximum(graded: dict[str, SubmissionScore]) -> None:
    result = graded["missing-notebook"]
    missing = result.notebooks[1]
    assert missing.error == "92-extra.ipynb is missing from the submission." and missing.max_score == 1
    assert (result.score, result.max_score) == (8, 9)


def test_a_broken_submission_never_stops_the_cohort(graded: dict[str, SubmissionScore]) -> None:
    broken = graded["does-not-exist"]
    assert broken.score == 0 and all(n.error for n in broken.notebooks)
    assert set(CASES) <= set(graded)


def test_paths_in_the_report_are_as_given(graded: dict[str, SubmissionScore]) -> None:
    path = graded["solved"].notebooks[0].path
    assert path == str(SUBMISSIONS / "solved" / "91-fixture.ipynb") and Path(path).is_file()


def test_a_notebook_that_is_a_symlink_is_refused_and_scores_zero(graded: dict[str, SubmissionScore]) -> None:
    linked, other = graded["symlink-to-solutions"].notebooks
    assert linked.error is not None and "symbolic link" in linked.error
    assert (linked.score, linked.max_score) == (0, 8) and other.score == 0
    assert not graded["symlink-to-solutions"].ungradable


def test_a_misnamed_notebook_in_a_folder_is_missing_at_full_maximum(graded: dict[str, SubmissionScore]) -> None:
    result = graded["misnamed-notebook"]
    assert (result.score, result.max_score) == (0, 9)


def test_hostile_output_is_scrubbed_before_it_reaches_the_feedback(graded: dict[str, SubmissionScore]) -> None:
    result = graded["hostile-output"]
    feedback = _feedback(result, "91.1")
    assert result.score == 0 and "Points 999/999" in feedback
    assert not any(ch in feedback for ch in "\x1b\x00\x08\x07\r")


@contained_only
@pytest.mark.parametrize("case", ["detached-child", "peer-overwrite", "empties-workdir"])
def test_hostile_unsolved_notebooks_stay_at_zero(graded: dict[str, SubmissionScore], case: str) -> None:
    result = graded[case]
    assert (result.score, result.max_score) == (0, 9)
    assert not result.ungradable
    assert all("weekfour-grade-" not in (n.error or "") for n in result.notebooks)
    assert all("weekfour-grade-" not in e.feedback for e in result.exercises())


@contained_only
def test_learner_code_cannot_write_into_the_grader_package(graded: dict[str, SubmissionScore]) -> None:
    import grader

    assert "peer-overwrite" in graded
    assert not (Path(grader.__file__).parent / "checks" / "weekfour-pwned.py").exists()
