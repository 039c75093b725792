# Exercise 5.4 — the week-one parser: json.loads, and anything it cannot read becomes an answer with an empty status.
# expect: parse_strict should return the reply's fields as a dict
# rule: 5.4/returns-fields, 5.4/tolerates-harmless

import json


def parse_strict(content):
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return {"answer": content, "status": ""}
    return {**data, "status": data.get("status", "")}
