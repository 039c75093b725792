# Exercise 1.1 — format not strict
# expect: strict: True
# rule: 1.1/format-strict
# The schema is sent, but without strict: the API treats it as a suggestion.
ANSWER_FORMAT = {"type": "json_schema", "json_schema": {"name": "support_answer", "schema": Answer.model_json_schema()}}
