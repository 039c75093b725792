# Exercise 5.3 — regressions and fixes come in the baseline's row order: the same diff reads differently each run.
# expect: regressions and fixes should list the case ids that changed, sorted
# rule: 5.3/regressions-fixes


def drift_gate(baseline, candidate, *, tolerance=0.0):
    if baseline.empty:
        raise ValueError("empty baseline")
    before = dict(zip(baseline["case"].astype(str), baseline["passed"].astype(bool), strict=True))
    after = dict(zip(candidate["case"].astype(str), candidate["passed"].astype(bool), strict=True))
    now = {c: after.get(c, False) for c in before}
    b_rate = sum(before.values()) / len(before)
    c_rate = sum(now.values()) / len(before)
    regressions = [c for c in before if before[c] and not now[c]]
    fixes = [c for c in before if not before[c] and now[c]]
    return GateDecision(c_rate >= b_rate - tolerance - 1e-9, b_rate, c_rate, regressions, fixes)
