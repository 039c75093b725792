"""Shared paths of the fixture course (tests/grader/fixtures/, rebuilt by fixtures/build_fixtures.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import grader._kernel

FIXTURES = Path(__file__).parent / "fixtures"
COURSE = FIXTURES / "course"
SUBMISSIONS = FIXTURES / "submissions"
CHECKS = COURSE / "checks"
PRIVATE = COURSE / "private"


@pytest.fixture(autouse=True)
def _fresh_kernel_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test sees the fixture checks through WEEKFOUR_CHECKS and a fresh in-kernel registry."""
    monkeypatch.setenv("WEEKFOUR_CHECKS", str(CHECKS))
    monkeypatch.delenv("WEEKFOUR_SEED", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setattr(grader._kernel, "_registry", None)
    monkeypatch.setattr(grader._kernel, "_last_notebook", None)
    yield
