# Exercise 5.3 — any drop blocks, whatever tolerance the team agreed on.
# expect: is within a tolerance of
# rule: 5.3/deploy


def drift_gate(baseline, candidate, *, tolerance=0.0):
    if baseline.empty:
        raise ValueError("empty baseline")
    before = dict(zip(baseline["case"], baseline["passed"].astype(bool), strict=True))
    after = dict(zip(candidate["case"], candidate["passed"].astype(bool), strict=True))
    now = {c: after.get(c, False) for c in before}
    b_rate = sum(before.values()) / len(before)
    c_rate = sum(now.values()) / len(before)
    regressions = sorted(c for c in before if before[c] and not now[c])
    fixes = sorted(c for c in before if not before[c] and now[c])
    return GateDecision(c_rate >= b_rate, b_rate, c_rate, regressions, fixes)
