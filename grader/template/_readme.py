"""The learner's README: how to work, how to check, how to submit.

The story of the course (its opening, the five failure modes, the Conda / Binder / Codespaces notes) is taken from the
course's own README by section, so the two cannot drift; the rest is written for a learner who has the template and
nothing else.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

__all__ = ["TemplateError", "learner_readme", "readme_section"]


class TemplateError(Exception):
    """The learner template cannot be written; the message says what to do."""


def readme_section(readme: str, heading: str) -> str:
    """The ``## heading`` section of ``readme``, heading included, up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", readme, flags=re.M | re.S)
    if match is None:
        raise TemplateError(f"README.md has no '## {heading}' section, which the learner README takes: add it back")
    return match.group(0).rstrip() + "\n"


def _opening(readme: str) -> str:
    head, _, _ = readme.partition("\n## ")
    return head.rstrip() + "\n"


# Paragraphs of the course README's learner section that the template's own sections say in the template's terms.
_REPLACED_PARAGRAPHS = ("**Submitting.**", "**Where the solutions are.**")
_HIDDEN_AT_MAKE_GRADE = ", with a few hidden checks added,"


def _learner_section(readme: str) -> str:
    """The course README's "How you work (learners)" section as the template says it: its heading shortened, the
    paragraphs the template replaces left out, and no hidden checks at ``make grade`` (the template has none)."""
    section = readme_section(readme, "How you work (learners)").replace("(learners)", "", 1).replace(" \n", "\n", 1)
    paragraphs = [p for p in section.split("\n\n") if not p.lstrip().startswith(_REPLACED_PARAGRAPHS)]
    return "\n\n".join(paragraphs).replace(_HIDDEN_AT_MAKE_GRADE, "").rstrip() + "\n"


def _wrap(text: str, *, item: bool = False) -> str:
    """A paragraph (or a ``- `` list item) wrapped as the course's Markdown is, at 120 columns."""
    return textwrap.fill(text, width=120, subsequent_indent="  " if item else "", break_on_hyphens=False) + "\n"


def learner_readme(course_readme: str, *, notebooks: Sequence[str], public_points: int, full_points: int) -> str:
    """The template's README.md. ``public_points``: what its checks award; ``full_points``: what the course's
    grading awards (its headings' points)."""
    first = notebooks[0] if notebooks else "00-start-here.ipynb"
    hidden = full_points - public_points
    score = (
        f"`make grade` counts the checks this repository has: {public_points} of the course's {full_points} points. "
        f"Your instructor's grading runs the same checks plus hidden ones on inputs you have not seen (other seeds, "
        f"other scenarios) for the other {hidden}: each exercise's heading states its full points, and `check()` says "
        "how many more grading holds. Code that does what its exercise says passes both."
        if hidden > 0
        else f"`make grade` counts every check of the course: {public_points} points."
    )
    parts = [
        _opening(course_readme),
        "## Quick start\n",
        _wrap(
            "You need Python 3.11+ and `make`. The first command creates `.venv` and installs exactly the locked "
            "versions in `requirements/lab.txt`:"
        ),
        "```bash\nmake lab      # set up, then open the workbook in JupyterLab\n"
        "make grade    # grade every notebook in notebooks/ and print your points\n```\n",
        f"`make lab` opens `notebooks/{first}`; `make lab LAB_ARGS=--no-browser` prints the URL instead.\n",
        readme_section(course_readme, "The five failure modes"),
        _learner_section(course_readme),
        "## Your score, here and at grading\n",
        _wrap(score),
        "## How you submit\n",
        "Your work is the notebooks in `notebooks/`, saved.\n",
        _wrap(
            "- **GitHub Classroom**: commit them and push. Every push runs `.github/workflows/classroom.yml` (one "
            "Classroom test per exercise, worth its points here) and `.github/workflows/grade.yml` (your table in the "
            "run's summary, the reports as an artefact). Push as often as you like; your instructor grades what is "
            "pushed at the deadline, with the hidden checks added. Grading copies your notebooks and never changes "
            "them.",
            item=True,
        )
        + _wrap(
            "- **Otherwise**: send your instructor the `notebooks/` folder (zipped as it is, file names unchanged).",
            item=True,
        ),
        _wrap(
            "The solutions are not in this repository, and neither are the hidden checks: they stay with your "
            "instructor, who decides when, or whether, to share the solutions. `check()` and `make grade` teach "
            "without them: what was expected, what happened, a hint."
        ),
        readme_section(course_readme, "Conda, Binder, Codespaces"),
        "## Layout\n",
        "```\nnotebooks/    the workbook: your work goes here\nweekfour/     the course kit the notebooks import "
        "(mocked provider, scripted model, simulated clock, toy agent)\ngrader/       check(), progress() and the "
        "grader with the public checks\nrequirements/ the lock: every package and version, with hashes\n.github/      "
        "grading on every push, GitHub Classroom's tests\n```\n",
    ]
    return "\n".join(parts)
