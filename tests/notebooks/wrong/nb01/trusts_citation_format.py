# Exercise 1.3 — trusts citation format
# expect: a document nobody returned
# rule: 1.3/citation-returned
# A citation that looks like a policy id is taken as real: 'policy/price-match' passes.

_solution_grounding = grounding_problems


def grounding_problems(answer, messages):
    problems = [p for p in _solution_grounding(answer, messages) if not p.startswith("citation")]
    return problems + [f"citation {c!r} is not a policy id" for c in answer.citations if not c.startswith("policy/")]
