# Exercise 5.3 — an empty baseline is read as "nothing regressed": the gate waves the candidate through.
# expect: an empty baseline should raise ValueError
# rule: 5.3/empty-baseline


def drift_gate(baseline, candidate, *, tolerance=0.0):
    before = dict(zip(baseline["case"].astype(str), baseline["passed"].astype(bool), strict=True))
    after = dict(zip(candidate["case"].astype(str), candidate["passed"].astype(bool), strict=True))
    now = {c: after.get(c, False) for c in before}
    total = len(before) or 1
    b_rate = sum(before.values()) / total
    c_rate = sum(now.values()) / total
    regressions = sorted(c for c in before if before[c] and not now[c])
    fixes = sorted(c for c in before if not before[c] and now[c])
    return GateDecision(c_rate >= b_rate - tolerance - 1e-9, b_rate, c_rate, regressions, fixes)
