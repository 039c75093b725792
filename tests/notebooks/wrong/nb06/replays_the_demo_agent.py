# Exercise 6.8 — replays the month against the day-three demo instead of the hardened deployment.
# expect: missed
# rule: 6.8/replays-hardened
def hardened_month(sb, visits):
    return replay(sb, naive_deployment(sb), visits, name="hardened", day_cap=SLOS.day_cap_usd)
