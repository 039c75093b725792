# Exercise 1.3 — checks the whole shop
# expect: the tools never returned it in this conversation
# rule: 1.3/citation-returned
# Citations are checked against every document of the shop, not against what the tools returned.

from weekfour.world import POLICIES

_solution_grounding = grounding_problems


def grounding_problems(answer, messages):
    known = {d.id for d in POLICIES}
    problems = [p for p in _solution_grounding(answer, messages) if not p.startswith("citation")]
    return problems + [f"citation {c!r} does not exist" for c in answer.citations if c not in known]
