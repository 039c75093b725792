"""The reviewed list of equivalent mutants: edits of a solution that change no behaviour any rule speaks of.

It lives beside the solutions, one file a notebook (``solutions/equivalent-mutants/nbNN.toml``: it quotes solution
lines, so it never ships to learners), one table per mutant, each with the line before, the line after and a
one-line reason a reviewer agreed with::

    [[equivalent]]
    exercise = "4.2"
    before = "for attempt in range(1, max_attempts + 1):"
    after = "for attempt in range(1, max_attempts + 2):"
    reason = "the loop leaves through `attempt == max_attempts` before the extra attempt"

``before`` and ``after`` are the changed lines with their indentation stripped (several lines joined by newlines), so
an entry survives edits elsewhere in the cell. An entry that matches no mutant any more is reported as stale.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from grader.mutate._run import Mutant

__all__ = ["EQUIVALENTS_DIR", "Equivalents", "mutant_key"]

EQUIVALENTS_DIR: Final = "equivalent-mutants"


def _strip(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip("\n").splitlines())


def mutant_key(mutant: Mutant) -> tuple[str, str, str]:
    return mutant.exercise, _strip(mutant.before), _strip(mutant.after)


@dataclass(slots=True)
class Equivalents:
    """Reasons by ``(exercise, before, after)``; ``used`` records which entries matched a mutant."""

    reasons: dict[tuple[str, str, str], str] = field(default_factory=dict)
    used: set[tuple[str, str, str]] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path) -> Equivalents:
        """Read one ``.toml`` file, or every ``*.toml`` file of a folder (nothing when the path does not exist)."""
        if path.is_dir():
            merged = cls()
            for file in sorted(path.glob("*.toml")):
                merged.reasons.update(cls.load(file).reasons)
            return merged
        if not path.is_file():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path} is not valid TOML ({exc}): fix the entry it names") from exc
        reasons: dict[tuple[str, str, str], str] = {}
        for number, entry in enumerate(data.get("equivalent", []), start=1):
            missing = [k for k in ("exercise", "before", "after", "reason") if not str(entry.get(k, "")).strip()]
            if missing and missing != ["after"]:
                raise ValueError(f"{path}: entry {number} lacks {', '.join(missing)}: every entry needs all four")
            key = (str(entry["exercise"]), _strip(str(entry["before"])), _strip(str(entry.get("after", ""))))
            reasons[key] = str(entry["reason"]).strip()
        return cls(reasons)

    def reason(self, mutant: Mutant) -> str | None:
        """Why ``mutant`` is equivalent, or None. A mutant of a generated cell (one that brings in other exercises'
        solutions) matches the entries of those exercises too: it is the same line."""
        exercise, before, after = mutant_key(mutant)
        for key in [(exercise, before, after), *((e, before, after) for e in mutant.brings)]:
            found = self.reasons.get(key)
            if found is not None:
                self.used.add(key)
                return found
        return None

    def stale(self, exercises: set[str]) -> list[tuple[str, str, str]]:
        """Entries of these exercises that matched no mutant (the solution changed under them)."""
        return [k for k in self.reasons if k[0] in exercises and k not in self.used]
