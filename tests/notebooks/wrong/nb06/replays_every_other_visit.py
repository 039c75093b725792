# Exercise 6.8 — replays every other visit "to keep it fast": half the month is never judged.
# expect: every visit
# rule: 6.8/every-visit
def hardened_month(sb, visits):
    deployment = build_hardened(sb, day_cap=SLOS.day_cap_usd)
    return replay(sb, deployment, visits[::2], name="hardened", day_cap=SLOS.day_cap_usd)
