# exercise: 5.4
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# The week-one parser: json.loads, and anything it cannot read becomes an answer with an empty status.
import json


def parse_strict(content):
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return {"answer": content, "status": ""}
    return {**data, "status": data.get("status", "")}
