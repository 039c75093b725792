"""The learner's README: how to work, how to check, how to submit.

The story of the course (its opening, the five failure modes, the Conda / Binder / Codespaces notes) is taken from the
course's own README by section, so the two cannot drift; the rest is written for a learner who has the template and
nothing else.
"""

from __future__ import annotations

import re
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


def learner_readme(course_readme: str, *, notebooks: Sequence[str], public_points: int, full_points: int) -> str:
    first = notebooks[0] if notebooks else "00-start-here.ipynb"
    hidden = full_points - public_points
    later = (
        f"Your `make grade` score counts the checks this repository has: {public_points} of the course's "
        f"{full_points} points. Your instructor's grading runs the same checks plus hidden ones on inputs you have not "
        f"seen (other seeds, other scenarios) for the other {hidden}; each exercise's heading states its full points, "
        "and `check()` says how many more grading holds. A function that does what its exercise says passes both."
        if hidden > 0
        else f"Your `make grade` score counts every check of the course: {public_points} points."
    )
    parts = [
        _opening(course_readme),
        "## Quick start\n",
        "You need Python 3.11+ and `make`. The first command creates `.venv` and installs exactly the locked versions "
        "in `requirements/lab.txt` (a minute or so the first time):\n",
        "```bash\nmake lab      # set up, then open the workbook in JupyterLab\n"
        "make grade    # grade every notebook in notebooks/ and print your points\n```\n",
        "`make lab LAB_ARGS=--no-browser` prints the URL instead of opening a browser.\n",
        readme_section(course_readme, "The five failure modes"),
        "## How you work\n",
        f"1. `make lab` opens `notebooks/{first}`. Read and run the cells top to bottom.\n"
        "2. Under each exercise, write your code in the cell that says `raise NotImplementedError`, run it, then run "
        'the `check("…")` cell below it: it tries your code on scenarios it picks at random and tells you at once what '
        "it expected, what happened, and a hint.\n"
        "3. Cells tagged `raises-exception` break on purpose: that is production breaking the day-three agent.\n"
        "4. `progress()` at the end of a notebook shows every exercise of it at a glance.\n",
        "Everything runs offline on a simulated clock: no API key, no network, and a night of 429s takes "
        "milliseconds.\n",
        "## How you check your score\n",
        "`make grade` grades every notebook in `notebooks/` from a fresh kernel, as your instructor's grader does, and "
        "prints a table per notebook (points and feedback per exercise) ending with a `Points X/Y` line. Edited or "
        "deleted check cells change nothing: the grader restores them.\n",
        later + "\n",
        "## How you submit\n",
        "- **GitHub Classroom**: commit your notebooks and push. Every push runs `.github/workflows/classroom.yml` "
        "(one Classroom test per exercise, worth its points) and `.github/workflows/grade.yml` (your table in the "
        "run's summary, the reports as an artefact). Push as often as you like; your instructor grades what is "
        "pushed at the deadline.\n"
        "- **Otherwise**: send your instructor the `notebooks/` folder (zip it as it is, file names unchanged).\n",
        "The solutions are not in this repository, and neither are the hidden checks: they stay with your "
        "instructor.\n",
        readme_section(course_readme, "Conda, Binder, Codespaces"),
        "## Layout\n",
        "```\nnotebooks/    the workbook: your work goes here\nweekfour/     the course kit the notebooks import "
        "(mocked provider, scripted model, simulated clock, toy agent)\ngrader/       check(), progress() and the "
        "grader with the public checks\nrequirements/ the lock: every package and version, with hashes\n.github/      "
        "grading on every push, GitHub Classroom's tests\n```\n",
    ]
    return "\n".join(parts)
