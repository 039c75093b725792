# Exercise 4.5 — gives the clients a 30 s read timeout: a hung primary holds every page for half a minute per attempt.
# expect: at most 10 s
# rule: 4.5/read-timeout

import random

import httpx


def build_handler(sb, *, seed: int = 0):
    """A page handler question -> Served: primary, backup, cache, degraded; never a 500."""
    rng = random.Random(seed)
    timeout = httpx.Timeout(30.0, connect=2.0)
    shared = {"world": sb.world, "backoffice": sb.backoffice, "clock": sb.clock, "catalog": sb.catalog}
    primary = GuardedAgent(sb.client(timeout=timeout), breaker=CircuitBreaker(clock=sb.clock), rng=rng, **shared)
    backup = GuardedAgent(
        sb.backup_client(timeout=timeout),
        model="backup-chat",
        breaker=CircuitBreaker(clock=sb.clock),
        rng=rng,
        **shared,
    )
    cache: dict = {}
    rungs = [("primary", primary.ask), ("backup", backup.ask)]
    return lambda question: serve(question, rungs, cache=cache)
