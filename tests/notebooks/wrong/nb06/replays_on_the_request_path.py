# Exercise 6.8 — replays the hardened handler, but inline: the page waits for the model again.
# expect: p95 request path
# rule: 6.8/replays-hardened
def hardened_month(sb, visits):
    deployment = build_hardened(sb, day_cap=SLOS.day_cap_usd)
    return replay(sb, Deployment(deployment.handler), visits, name="hardened", day_cap=SLOS.day_cap_usd)
