# Exercise 1.1 — format not strict
# expect: strict: True
# The schema is sent, but without strict: the API treats it as a suggestion.
# Overlays the solution notebook's namespace: the learner's other names come from there.
# ruff: noqa: F821
ANSWER_FORMAT = {"type": "json_schema", "json_schema": {"name": "support_answer", "schema": Answer.model_json_schema()}}
