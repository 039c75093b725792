# Exercise 6.6 — one circuit breaker shared by both providers: the primary's outage opens it for the backup too.
# expect: kept receiving requests
# rule: 6.6/breaker-per-provider
def build_hardened(sb, *, day_cap=DAY_CAP_USD, seed=0):
    rng = random.Random(seed)
    budget = HardBudget(both_providers(sb), catalog=sb.catalog, clock=sb.clock, per_request=0.05, per_day=day_cap)
    timeout = httpx.Timeout(10.0, connect=2.0)
    shared = {"world": sb.world, "backoffice": sb.backoffice, "clock": sb.clock, "catalog": sb.catalog}
    breaker = CircuitBreaker(clock=sb.clock)
    primary = HardenedAgent(
        sb.client(transport=budget, timeout=timeout), model="wf-chat-2026-01-15", breaker=breaker, rng=rng, **shared
    )
    backup = HardenedAgent(
        sb.backup_client(transport=budget, timeout=timeout), model="backup-chat-1", breaker=breaker, rng=rng, **shared
    )
    cache = {}

    def handler(question, history):
        rungs = [("primary", lambda q: primary.ask(q, history)), ("backup", lambda q: backup.ask(q, history))]
        return serve(question, rungs, cache=cache)

    return Deployment(handler, jobs=JobQueue, name="hardened")
