# Exercise 3.1 — clamps p into 0..100 instead of refusing it: percentile(x, 950) quietly answers the max.
# expect: should raise ValueError (p below 0)
# rule: 3.1/p-outside-raises

import math


def percentile(values, p):
    if not values:
        raise ValueError("percentile of an empty sequence")
    p = min(max(p, 0), 100)
    ordered = sorted(values)
    rank = p / 100 * (len(ordered) - 1)
    lo, hi = math.floor(rank), math.ceil(rank)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)
