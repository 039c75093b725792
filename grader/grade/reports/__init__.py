"""Every report the grader writes, one module per audience."""

from __future__ import annotations

from grader.grade.reports._csv import write_csv
from grader.grade.reports._github import classroom_line, job_summary, write_job_summary
from grader.grade.reports._html import cohort_html, write_html
from grader.grade.reports._json import cohort_json, read_json, report_from_json, write_json
from grader.grade.reports._junit import junit_xml, write_junit
from grader.grade.reports._markdown import learner_markdown, write_markdown
from grader.grade.reports._terminal import print_cohort, print_submission

__all__ = [
    "classroom_line",
    "cohort_html",
    "cohort_json",
    "job_summary",
    "junit_xml",
    "learner_markdown",
    "print_cohort",
    "print_submission",
    "read_json",
    "report_from_json",
    "write_csv",
    "write_html",
    "write_job_summary",
    "write_json",
    "write_junit",
    "write_markdown",
]
