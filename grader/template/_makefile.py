"""The learner's Makefile: the course's, without the targets that need what the template leaves out.

``make test`` (the project's tests), ``make release`` (``solutions/``), ``make lock`` and ``make bench`` go, with their
variables and help lines; ``make setup``, ``make lab``, ``make grade``, ``make lint`` and ``make clean`` stay as they
are, so a learner's set-up is the course's to the byte.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["LEFT_OUT_TARGETS", "learner_makefile"]

LEFT_OUT_TARGETS: Final = ("test", "release", "lock", "bench")
_LEFT_OUT_RULES: Final = (*LEFT_OUT_TARGETS, "$(TESTSTAMP)")
_LEFT_OUT_VARIABLES: Final = ("TESTSTAMP", "TEST_LOCK")
_RULE: Final = re.compile(r"^([^\s:#=][^:=]*):(?!=)")


def _rule_targets(block: str) -> set[str]:
    targets: set[str] = set()
    for line in block.splitlines():
        match = _RULE.match(line)
        if match and not line.startswith("."):
            targets |= set(match.group(1).split())
    return targets


def learner_makefile(course: str) -> str:
    """``course`` (the course's Makefile) with the instructor's and the project's targets taken out."""
    blocks = course.split("\n\n")
    kept = [b for b in blocks if not (_rule_targets(b) & set(_LEFT_OUT_RULES))]
    out: list[str] = []
    for block in kept:
        lines = []
        for line in block.splitlines():
            if re.match(rf"^({'|'.join(_LEFT_OUT_VARIABLES)})\s*:?=", line):
                continue
            if "$(TESTSTAMP)" in line and line.startswith("\t"):
                continue
            if re.search(rf'@echo "make ({"|".join(LEFT_OUT_TARGETS)})\b', line):
                continue
            if line.startswith(".PHONY:"):
                names = [n for n in line.split(":", 1)[1].split() if n not in LEFT_OUT_TARGETS]
                line = ".PHONY: " + " ".join(names)
            lines.append(line)
        out.append("\n".join(lines))
    return "\n\n".join(b for b in out if b.strip()).rstrip("\n") + "\n"
