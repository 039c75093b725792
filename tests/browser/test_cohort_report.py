"""The HTML cohort report (``grade --html``, ``merge --html``) in a real headless chromium, opened from a file with no
server and no network: both charts draw, the tables are there, a hostile learner name stays text, and a screenshot of
the whole page goes to ``tests/browser/artifacts/cohort-report.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from grader.grade import ExerciseScore, IntegrityFlag, NotebookScore, SubmissionScore
from grader.grade.reports import write_html, write_markdown

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">mallory"
NOT_ATTEMPTED = "Exercise {id} is not attempted yet: `f` still raises NotImplementedError."


def _cohort() -> list[SubmissionScore]:
    """Twelve learners over six exercises, some passing, some failing on a common mistake, one flagged."""
    ids = ["1.1", "1.2", "2.1", "2.2", "4.1", "4.2"]
    results = []
    for n in range(12):
        learner = HOSTILE if n == 5 else f"learner-{n:02d}"
        exercises = []
        for k, ex in enumerate(ids):
            top = 2 + k % 3
            if (n + k) % 4 == 0:
                exercises.append(ExerciseScore(ex, 0, top, False, NOT_ATTEMPTED.format(id=ex)))
            elif (n * k) % 5 == 1:
                feedback = f"retry_after ignored a Retry-After of {n + k} s.\n  expected: {n + k}\nHint: read it"
                exercises.append(ExerciseScore(ex, 1, top, False, feedback))
            else:
                exercises.append(ExerciseScore(ex, top, top, True, ""))
        flags = (
            [IntegrityFlag(kind="refused", detail="tried to open a socket", exercise="2.1", cell=4)] if n == 5 else []
        )
        results.append(SubmissionScore(learner, f"cohort/{n}", [NotebookScore("01-x.ipynb", exercises, flags=flags)]))
    return results


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Path:
    out = tmp_path_factory.mktemp("cohort-report")
    results = _cohort()
    write_markdown(results, out / "feedback")
    write_html(results, out / "report.html", feedback=out / "feedback")
    return out / "report.html"


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    requests: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    try:
        yield page, requests
    finally:
        context.close()


def test_the_cohort_report_renders_its_charts_offline(
    report: Path, offline_page: tuple[Page, list[str]], artifacts: Path
) -> None:
    page, requests = offline_page
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    charts = page.locator(".chart svg")
    assert charts.count() == 2
    for i in range(2):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, box
    assert page.locator(".chart svg path").count() > 10  # bars drawn, not an empty frame
    assert page.locator("#failing + table tbody tr").count() >= 1
    assert "retry_after ignored a Retry-After" in page.locator("#failing + table").inner_text()
    flagged = page.locator("#flagged + table").inner_text()
    assert "refused" in flagged and "mallory" in flagged
    assert page.locator("#learners + table tbody tr").count() == 12
    assert page.locator("#learners + table a[href$='.md']").count() == 12
    assert page.title() == "Week Four cohort report", "a learner's name ran as HTML"
    assert page.locator("img").count() == 0
    page.screenshot(path=str(artifacts / "cohort-report.png"), full_page=True)
    assert [u for u in requests if not u.startswith("file:")] == [], "the report fetched something"
