# Exercise 3.1 — an empty log has a p95 of 0: the dashboard shows "0 ms" when nothing answered.
# expect: should raise ValueError (an empty sequence)
# rule: 3.1/empty-raises

import math


def percentile(values, p):
    if not values:
        return 0.0
    if not 0 <= p <= 100:
        raise ValueError(f"p must be between 0 and 100, not {p!r}")
    ordered = sorted(values)
    rank = p / 100 * (len(ordered) - 1)
    lo, hi = math.floor(rank), math.ceil(rank)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)
