# Exercise 5.4 — the status set copied from the week-one prompt lacks not_found and unknown: honest replies are refused.
# expect: status 'not_found'
# rule: 5.4/returns-fields

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str
    status: Literal["processing", "shipped", "delivered", "cancelled", "refunded"] | None
    order_id: str | None
    citations: list[str]
    action: Literal["none", "refund", "escalate"]
    refund_amount: float | None
    confidence: float


def parse_strict(content):
    found = re.search(r"\{.*\}", content or "", re.DOTALL)
    if found is None:
        raise ValueError("no JSON object in the reply")
    try:
        data = json.loads(found.group(0))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the reply's JSON does not parse: {exc}") from None
    return _Answer.model_validate(data).model_dump()
