# Exercise 6.8 — builds and replays with the default cap: a stricter SLOS.day_cap_usd is never applied.
# expect: capped at
# rule: 6.8/capped-by-slo
def hardened_month(sb, visits):
    return replay(sb, build_hardened(sb), visits, name="hardened")
