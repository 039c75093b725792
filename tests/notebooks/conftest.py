"""Fixtures shared by the notebook tests; the machinery itself lives in ``_harness.py``."""

from __future__ import annotations

import re
from typing import Final

import pytest

from ._harness import Grades, grade_both

__all__ = ["graded"]

_TEST_FILE: Final = re.compile(r"^test_nb(\d{2})\.py$")


@pytest.fixture(scope="session")
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Grades]:
    """The grader's scores, by notebook number, for the solution and the learner version of every notebook whose
    ``test_nbNN.py`` asks for this fixture in this run — all graded at once (two grader processes, not two a notebook).
    """
    numbers = sorted(
        {
            int(match.group(1))
            for item in request.session.items
            if "graded" in getattr(item, "fixturenames", ()) and (match := _TEST_FILE.match(item.path.name))
        }
    )
    return grade_both(numbers, tmp_path_factory.mktemp("graded")) if numbers else {}
