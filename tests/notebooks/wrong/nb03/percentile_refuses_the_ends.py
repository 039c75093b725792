# Exercise 3.1 — treats 0..100 as open: percentile(x, 0) and percentile(x, 100) raise instead of the min and the max.
# expect: but p=0 is inside 0..100
# rule: 3.1/p-ends-allowed

import math


def percentile(values, p):
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 < p < 100:
        raise ValueError(f"p must be strictly between 0 and 100, not {p!r}")
    ordered = sorted(values)
    rank = p / 100 * (len(ordered) - 1)
    lo, hi = math.floor(rank), math.ceil(rank)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)
