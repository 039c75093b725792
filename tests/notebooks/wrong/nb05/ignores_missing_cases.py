# Exercise 5.3 — the candidate's rate is computed over the rows it has: a suite that skipped its failures looks green.
# expect: baseline cases missing from the candidate should count as failed
# rule: 5.3/missing-failed


def drift_gate(baseline, candidate, *, tolerance=0.0):
    if baseline.empty:
        raise ValueError("empty baseline")
    before = dict(zip(baseline["case"], baseline["passed"].astype(bool), strict=True))
    after = dict(zip(candidate["case"], candidate["passed"].astype(bool), strict=True))
    b_rate = sum(before.values()) / len(before)
    c_rate = sum(after.values()) / len(after) if after else 0.0
    regressions = sorted(c for c in after if before.get(c) and not after[c])
    fixes = sorted(c for c in after if c in before and not before[c] and after[c])
    return GateDecision(c_rate >= b_rate - tolerance - 1e-9, b_rate, c_rate, regressions, fixes)
