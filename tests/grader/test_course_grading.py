"""The course's own solutions graded as a learner's submission: full marks, and nothing flagged for review.

The verdict process runs every solution notebook as plain Python under its guard; an honest notebook must never trip
it (a refusal here is a false alarm an instructor would have to read).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader._registry import CheckRegistry
from grader.grade import containment, find_submission, grade_submission

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not containment().files, reason="needs Linux Landlock (kernels contained)")
def test_the_solutions_score_full_marks_and_raise_no_flag() -> None:
    registry = CheckRegistry(use_env=False)
    expected = sorted(p.name for p in (ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))
    result = grade_submission(find_submission(ROOT / "solutions", expected), registry=registry)
    assert not result.ungradable
    assert result.score == result.max_score == 159, [e for e in result.exercises() if not e.passed]
    assert result.flags == []
