# Exercise 5.3 — the candidate's rate counts its own cases too: a new case it passes makes up for one it dropped.
# expect: a candidate missing three of the baseline's cases
# rule: 5.3/missing-failed


def drift_gate(baseline, candidate, *, tolerance=0.0):
    if baseline.empty:
        raise ValueError("empty baseline")
    before = dict(zip(baseline["case"].astype(str), baseline["passed"].astype(bool), strict=True))
    after = dict(zip(candidate["case"].astype(str), candidate["passed"].astype(bool), strict=True))
    now = {c: after.get(c, False) for c in before}
    b_rate = sum(before.values()) / len(before)
    c_rate = min(1.0, sum(after.values()) / len(before))
    regressions = sorted(c for c in before if before[c] and not now[c])
    fixes = sorted(c for c in before if not before[c] and now[c])
    return GateDecision(c_rate >= b_rate - tolerance - 1e-9, b_rate, c_rate, regressions, fixes)
