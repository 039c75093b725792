# exercise: 5.4
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# Fences and preamble are stripped, but the fields are never checked against the contract.
import json
import re


def parse_strict(content):
    found = re.search(r"\{.*\}", content or "", re.DOTALL)
    if found is None:
        raise ValueError("no JSON object")
    return json.loads(found.group(0))
