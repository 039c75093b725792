# Exercise 6.8 — names the run "month" instead of "hardened".
# expect: named as the exercise says
# rule: 6.8/named-hardened
def hardened_month(sb, visits):
    deployment = build_hardened(sb, day_cap=SLOS.day_cap_usd)
    return replay(sb, deployment, visits, name="month", day_cap=SLOS.day_cap_usd)
