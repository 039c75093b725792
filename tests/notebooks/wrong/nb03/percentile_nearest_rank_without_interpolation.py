# Exercise 3.1 — nearest rank: index the sorted list at p% of its length, no interpolation.
# expect: not the linear-interpolation percentile
# rule: 3.1/linear-interpolation


def percentile(values, p):
    if not values or not 0 <= p <= 100:
        raise ValueError("bad input")
    ordered = sorted(values)
    return ordered[min(int(p / 100 * len(ordered)), len(ordered) - 1)]
