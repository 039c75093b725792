"""The points an exercise's heading promises are what grading awards: its public and hidden checks together.

Learners see an exercise's points in four places — its heading, ``check()``, ``progress()`` and the grader's report
— and the last three are sums over the same check declarations; the heading is written by hand, so this test holds it
to them. A heading states ``(N points)`` or ``— N points``; a group heading states ``(exercises A–B, N points each)``.
"""

from __future__ import annotations

import re
from typing import Final

import pytest

from grader._nbio import load_notebook

from ._harness import NOTEBOOKS, notebook

_ONE: Final = re.compile(r"Exercise (\d+\.\d+)\b[^\n]*?\(?(\d+) points?\)?")
_GROUP: Final = re.compile(r"exercises (\d+)\.(\d+)[–-]\d+\.(\d+), (\d+) points? each")


def promised_points(number: int) -> dict[str, int]:
    """Every exercise's points as the markdown of ``solutions/NN-*.ipynb`` states them."""
    found: dict[str, int] = {}
    for cell in load_notebook(notebook(number).path)["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line in cell["source"].splitlines():
            group = _GROUP.search(line)
            if group:
                nb, first, last, points = (int(g) for g in group.groups())
                found.update({f"{nb}.{m}": points for m in range(first, last + 1)})
            elif line.lstrip("#* ").startswith("Exercise") and (one := _ONE.search(line)):
                found.setdefault(one.group(1), int(one.group(2)))
    return found


@pytest.mark.parametrize("number", NOTEBOOKS, ids=lambda n: f"nb{n:02d}")
def test_every_heading_promises_what_the_checks_award(number: int) -> None:
    declared = {ex: info.max_points for ex, info in notebook(number).exercises().items()}
    promised = promised_points(number)
    assert set(promised) == set(declared), f"exercises whose heading states no points: {set(declared) - set(promised)}"
    assert promised == declared, "headings (left) and checks, public + hidden (right), disagree"
