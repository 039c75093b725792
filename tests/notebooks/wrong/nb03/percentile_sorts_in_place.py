# Exercise 3.1 — sorts the caller's request log in place (list.sort) to save a copy.
# expect: sorted (or changed) the caller's list in place
# rule: 3.1/no-sort-in-place

import math


def percentile(values, p):
    if not values or not 0 <= p <= 100:
        raise ValueError("bad input")
    values.sort()
    rank = p / 100 * (len(values) - 1)
    lo, hi = math.floor(rank), math.ceil(rank)
    return values[lo] + (values[hi] - values[lo]) * (rank - lo)
