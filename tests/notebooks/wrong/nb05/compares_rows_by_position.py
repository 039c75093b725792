# Exercise 5.3 — rows are paired by position: when the candidate's cases come in another order, the diff is noise.
# expect: Match rows by their case id, not by their position
# rule: 5.3/match-by-id


def drift_gate(baseline, candidate, *, tolerance=0.0):
    if baseline.empty:
        raise ValueError("empty baseline")
    before = [bool(p) for p in baseline["passed"]]
    after = [bool(p) for p in candidate["passed"]]
    cases = [str(c) for c in baseline["case"]]
    b_rate = sum(before) / len(before)
    c_rate = sum(after) / len(before)
    regressions = sorted(c for c, b, a in zip(cases, before, after, strict=False) if b and not a)
    fixes = sorted(c for c, b, a in zip(cases, before, after, strict=False) if a and not b)
    return GateDecision(c_rate >= b_rate - tolerance - 1e-9, b_rate, c_rate, regressions, fixes)
