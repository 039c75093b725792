# Exercise 6.7 — returns the report transposed: the objectives are its columns, not its index.
# expect: indexed by objective
# rule: 6.7/five-rows
_by_row = slo_report


def slo_report(card, slo):
    return _by_row(card, slo).T
