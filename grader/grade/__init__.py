"""``python -m grader grade``: nbval-based grading of one submission or a cohort (see docs/authoring.md)."""

from __future__ import annotations

from grader.grade._cohort import default_jobs, grade_cohort
from grader.grade._command import exit_code, main
from grader.grade._contain import DEFAULT_MEMORY, containment
from grader.grade._execute import Limits
from grader.grade._graded_copy import make_graded_copy
from grader.grade._results import ExerciseScore, IntegrityFlag, NotebookScore, SubmissionScore
from grader.grade._submission import Submission, find_submission, grade_submission

__all__ = [
    "DEFAULT_MEMORY",
    "ExerciseScore",
    "IntegrityFlag",
    "Limits",
    "NotebookScore",
    "Submission",
    "SubmissionScore",
    "containment",
    "default_jobs",
    "exit_code",
    "find_submission",
    "grade_cohort",
    "grade_submission",
    "main",
    "make_graded_copy",
]
