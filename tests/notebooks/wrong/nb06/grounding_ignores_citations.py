# Exercise 6.1 — grounds the status and the refund, but lets any citation through.
# expect: grounding_problems
# rule: 6.1/same-as-01
_grounded_fields = grounding_problems


def grounding_problems(answer, messages):
    return [p for p in _grounded_fields(answer, messages) if not p.startswith("citation")]
