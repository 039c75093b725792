"""``--json``: one submission in the fixed shape; a cohort as ``{"submissions": [{"learner", ...shape}]}``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.grade._results import SubmissionScore

__all__ = ["cohort_json", "write_json"]


def cohort_json(results: Sequence[SubmissionScore]) -> dict[str, Any]:
    return {"submissions": [{"learner": r.learner, **r.to_json()} for r in results]}


def write_json(results: Sequence[SubmissionScore], path: Path) -> None:
    data = results[0].to_json() if len(results) == 1 else cohort_json(results)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
