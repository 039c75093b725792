# Exercise 5.4 — unknown fields are dropped before validating: a new field the model invented passes unnoticed.
# expect: an unknown extra field `priority`
# rule: 5.4/renamed-missing-unknown

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
    if not isinstance(data, dict):
        raise ValueError("not an object")
    known = {k: v for k, v in data.items() if k in SupportAnswer.model_fields}
    return SupportAnswer.model_validate(known).model_dump()
