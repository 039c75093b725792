# Exercise 5.3 — the pass rates come back as percentages (75.0), not the shares (0.75) the GateDecision documents.
# expect: should be the share of the baseline's cases that passed (0..1)
# rule: 5.3/rates


def drift_gate(baseline, candidate, *, tolerance=0.0):
    if baseline.empty:
        raise ValueError("empty baseline")
    before = dict(zip(baseline["case"].astype(str), baseline["passed"].astype(bool), strict=True))
    after = dict(zip(candidate["case"].astype(str), candidate["passed"].astype(bool), strict=True))
    now = {c: after.get(c, False) for c in before}
    b_rate = 100 * sum(before.values()) / len(before)
    c_rate = 100 * sum(now.values()) / len(before)
    regressions = sorted(c for c in before if before[c] and not now[c])
    fixes = sorted(c for c in before if not before[c] and now[c])
    return GateDecision(c_rate >= b_rate - 100 * tolerance - 1e-9, b_rate, c_rate, regressions, fixes)
