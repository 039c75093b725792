# Exercise 4.5 — passes a fresh dict to serve on every question: the cache rung can never serve anything.
# expect: One cache for the whole handler
# rule: 4.5/one-cache

import random

import httpx


def build_handler(sb, *, seed: int = 0):
    """A page handler question -> Served: primary, backup, cache, degraded; never a 500."""
    rng = random.Random(seed)
    timeout = httpx.Timeout(6.0, connect=2.0)
    shared = {"world": sb.world, "backoffice": sb.backoffice, "clock": sb.clock, "catalog": sb.catalog}
    primary = GuardedAgent(sb.client(timeout=timeout), breaker=CircuitBreaker(clock=sb.clock), rng=rng, **shared)
    backup = GuardedAgent(
        sb.backup_client(timeout=timeout),
        model="backup-chat",
        breaker=CircuitBreaker(clock=sb.clock),
        rng=rng,
        **shared,
    )
    rungs = [("primary", primary.ask), ("backup", backup.ask)]
    return lambda question: serve(question, rungs, cache={})
