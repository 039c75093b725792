# Exercise 5.4 — fences and preamble are stripped, but the fields are never checked against the contract.
# expect: missing, not return a guess
# rule: 5.4/renamed-missing-unknown, 5.4/wrong-type-or-value

import json
import re


def parse_strict(content):
    found = re.search(r"\{.*\}", content or "", re.DOTALL)
    if found is None:
        raise ValueError("no JSON object")
    return json.loads(found.group(0))
