# Exercise 1.3 — ignores refund amount
# expect: on an order whose total is
# rule: 1.3/refund-within-total
# Statuses and citations are checked, money is not: a refund of 1.5x the order total goes out.

_solution_grounding = grounding_problems


def grounding_problems(answer, messages):
    return [p for p in _solution_grounding(answer, messages) if "refund_amount" not in p]
