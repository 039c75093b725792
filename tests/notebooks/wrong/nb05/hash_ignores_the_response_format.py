# exercise: 5.1
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# Only the template is hashed: switching the schema (or strict mode) under the same version goes unnoticed.
import hashlib


def prompt_hash(template, response_format=None):
    return hashlib.sha256(template.encode("utf-8")).hexdigest()
