# Exercise 5.4 — a reply with no JSON is turned into an escalation answer instead of raising: the caller never knows.
# expect: is a failure to report, not an answer to invent
# rule: 5.4/no-json

import json
import re


def parse_strict(content):
    found = re.search(r"\{.*\}", content or "", re.DOTALL)
    if found is None:
        fallback = {"answer": content, "status": None, "order_id": None, "citations": [], "action": "escalate",
                    "refund_amount": None, "confidence": 0.0}  # fmt: skip
        return SupportAnswer.model_validate(fallback).model_dump()
    try:
        data = json.loads(found.group(0))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the reply's JSON does not parse: {exc}") from None
    return SupportAnswer.model_validate(data).model_dump()
