# Exercise 5.4 — order_status is quietly mapped back to status: it works today, and hides the next rename that does not.
# expect: `status` renamed to `order_status`, not return a guess
# rule: 5.4/renamed-missing-unknown

import json
import re


def parse_strict(content):
    found = re.search(r"\{.*\}", content or "", re.DOTALL)
    if found is None:
        raise ValueError("no JSON object")
    data = json.loads(found.group(0))
    if "order_status" in data:
        data["status"] = data.pop("order_status")
    return SupportAnswer.model_validate(data).model_dump()
