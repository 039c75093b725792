# Exercise 6.7 — promises "fewer than no" customers hit by a model update: a target nobody can meet.
# expect: nobody can meet
# rule: 6.7/slos-meetable
SLOS = SLO(max_error_rate=0.01, max_wrong_rate=0.005, day_cap_usd=DAY_CAP_USD, p95_page_s=1.0, max_drift_hits=-1)
