# Exercise 6.3 — nearest-rank percentile, no interpolation: p95 of a small sample jumps to the maximum.
# expect: notebook 03
# rule: 6.3/same-as-03
def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1) + 0.5)))]
