# Exercise 6.6 — guards the primary only; the backup is the plain day-three agent, so its inventions pass on.
# expect: every rung's answer goes through the same checks
# rule: 6.6/every-rung-validated
def build_hardened(sb, *, day_cap=DAY_CAP_USD, seed=0):
    rng = random.Random(seed)
    budget = HardBudget(both_providers(sb), catalog=sb.catalog, clock=sb.clock, per_request=0.05, per_day=day_cap)
    timeout = httpx.Timeout(10.0, connect=2.0)
    shared = {"world": sb.world, "backoffice": sb.backoffice, "clock": sb.clock, "catalog": sb.catalog}
    primary = HardenedAgent(
        sb.client(transport=budget, timeout=timeout),
        model="wf-chat-2026-01-15",
        breaker=CircuitBreaker(clock=sb.clock),
        rng=rng,
        **shared,
    )
    backup = SupportAgent(sb.backup_client(transport=budget, timeout=timeout), model="backup-chat-1", **shared)
    cache = {}

    def handler(question, history):
        rungs = [("primary", lambda q: primary.ask(q, history)), ("backup", lambda q: backup.ask(q, history))]
        return serve(question, rungs, cache=cache)

    return Deployment(handler, jobs=JobQueue, name="hardened")
