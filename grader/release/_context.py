"""What every release step may need to know about the notebook it transforms."""

from __future__ import annotations

from dataclasses import dataclass

from grader._registry import CheckRegistry

__all__ = ["AuthoringError", "BuildContext"]


class AuthoringError(Exception):
    """The source notebook has an authoring mistake; the message names the notebook and cell of each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class BuildContext:
    name: str  # the notebook's file name, e.g. "01-hallucination.ipynb"
    number: int  # its notebook number, e.g. 1
    registry: CheckRegistry

    def where(self, index: int, source: str) -> str:
        first = next((line.strip() for line in source.splitlines() if line.strip()), "")
        preview = f": {first[:50]!r}" if first else ""
        return f"{self.name}, cell {index}{preview}"
