"""``--json``: the report in the one schema of ``grader.grade._results`` (a list of submissions, each with its
learner), and reading it back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.grade._results import REPORT_SCHEMA, ReportError, SubmissionScore

__all__ = ["cohort_json", "read_json", "report_from_json", "write_json"]


def cohort_json(results: Sequence[SubmissionScore]) -> dict[str, Any]:
    """The report: ``{"schema": 1, "submissions": [...]}``, one entry per submission, in the given order."""
    return {"schema": REPORT_SCHEMA, "submissions": [r.to_json() for r in results]}


def write_json(results: Sequence[SubmissionScore], path: Path) -> None:
    path.write_text(json.dumps(cohort_json(results), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def report_from_json(data: Any, *, where: str = "the report") -> list[SubmissionScore]:
    """The submissions of a report as :func:`cohort_json` wrote it; :class:`ReportError` for anything else."""
    if not isinstance(data, dict) or not isinstance(data.get("submissions"), list):
        raise ReportError(
            f"{where} is not a grader report (no submissions list): write one with `python -m grader grade --json`"
        )
    schema = data.get("schema")
    if schema != REPORT_SCHEMA:
        raise ReportError(
            f"{where} is in report schema {schema!r}; this grader reads schema {REPORT_SCHEMA}: grade again with it"
        )
    return [SubmissionScore.from_json(s) for s in data["submissions"]]


def read_json(path: Path) -> list[SubmissionScore]:
    """The submissions of the report at ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path} does not exist: write it with `python -m grader grade --json {path}`") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReportError(
            f"{path} is not a JSON report ({exc}): write it with `python -m grader grade --json`"
        ) from exc
    return report_from_json(data, where=str(path))
