# Exercise 6.6 — one budget per provider: each stays under the cap, together they spend up to twice of it.
# expect: crossed the cap
# rule: 6.6/one-budget-both-providers
def build_hardened(sb, *, day_cap=DAY_CAP_USD, seed=0):
    rng = random.Random(seed)
    timeout = httpx.Timeout(10.0, connect=2.0)
    shared = {"world": sb.world, "backoffice": sb.backoffice, "clock": sb.clock, "catalog": sb.catalog}
    agents = []
    for make, model in ((sb.client, "wf-chat-2026-01-15"), (sb.backup_client, "backup-chat-1")):
        inner = sb.provider.transport() if model.startswith("wf-") else sb.backup.transport()
        budget = HardBudget(inner, catalog=sb.catalog, clock=sb.clock, per_request=0.05, per_day=day_cap)
        breaker = CircuitBreaker(clock=sb.clock)
        agents.append(
            HardenedAgent(make(transport=budget, timeout=timeout), model=model, breaker=breaker, rng=rng, **shared)
        )
    primary, backup = agents
    cache = {}

    def handler(question, history):
        rungs = [("primary", lambda q: primary.ask(q, history)), ("backup", lambda q: backup.ask(q, history))]
        return serve(question, rungs, cache=cache)

    return Deployment(handler, jobs=JobQueue, name="hardened")
