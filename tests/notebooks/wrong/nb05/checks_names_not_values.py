# Exercise 5.4 — the field names are checked, their values are not: citations as a string or "a lot" as an amount pass.
# expect: parse_strict should reject a reply with
# rule: 5.4/wrong-type-or-value

import json
import re


def parse_strict(content):
    found = re.search(r"\{.*\}", content or "", re.DOTALL)
    if found is None:
        raise ValueError("no JSON object in the reply")
    try:
        data = json.loads(found.group(0))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the reply's JSON does not parse: {exc}") from None
    if not isinstance(data, dict) or set(data) != set(SupportAnswer.model_fields):
        raise ValueError("the reply's fields are not the contract's")
    return data
