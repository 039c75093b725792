# exercise: 5.1
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# The response format is serialised without a canonical key order: equal content, different hashes.
import hashlib
import json


def prompt_hash(template, response_format=None):
    return hashlib.sha256((template + json.dumps(response_format)).encode("utf-8")).hexdigest()
