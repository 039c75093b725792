# Exercise 6.6 — the per-request ceiling at $0.1 instead of $0.05.
# expect: reached the primary
# rule: 6.6/per-request-ceiling
def build_hardened(sb: Sandbox, *, day_cap: float = DAY_CAP_USD, seed: int = 0) -> Deployment:
    rng = random.Random(seed)
    budget = HardBudget(both_providers(sb), catalog=sb.catalog, clock=sb.clock, per_request=0.1, per_day=day_cap)
    timeout = httpx.Timeout(10.0, connect=2.0)
    shared = {"world": sb.world, "backoffice": sb.backoffice, "clock": sb.clock, "catalog": sb.catalog}
    primary = HardenedAgent(
        sb.client(transport=budget, timeout=timeout),
        model="wf-chat-2026-01-15",
        breaker=CircuitBreaker(clock=sb.clock),
        rng=rng,
        **shared,
    )
    backup = HardenedAgent(
        sb.backup_client(transport=budget, timeout=timeout),
        model="backup-chat-1",
        breaker=CircuitBreaker(clock=sb.clock),
        rng=rng,
        **shared,
    )
    cache: dict[str, Any] = {}

    def handler(question: str, history: list[dict[str, Any]]) -> Served:
        rungs = [("primary", lambda q: primary.ask(q, history)), ("backup", lambda q: backup.ask(q, history))]
        return serve(question, rungs, cache=cache)

    return Deployment(handler, jobs=JobQueue, name="hardened")
