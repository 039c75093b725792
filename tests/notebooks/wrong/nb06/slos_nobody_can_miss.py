# Exercise 6.7 — objectives so loose that the day-three agent would meet most of them.
# expect: looser than the course's floor
# rule: 6.7/slos-at-floor
SLOS = SLO(max_error_rate=0.6, max_wrong_rate=0.1, day_cap_usd=5.0, p95_page_s=30.0, max_drift_hits=1_000)
