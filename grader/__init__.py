"""Week Four grader: authoring build, exercise checks, in-notebook check(), nbval-based grading."""

from __future__ import annotations

__all__: list[str] = []
