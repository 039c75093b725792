# Exercise 4.5 — guards the primary well, then goes straight to cache and degraded mode: the backup provider sits idle.
# expect: during the outage, answered by backup or cache
# rule: 4.5/two-providers

import random

import httpx


def build_handler(sb, *, seed=0):
    rng = random.Random(seed)
    primary = GuardedAgent(
        sb.client(timeout=httpx.Timeout(6.0, connect=2.0)),
        breaker=CircuitBreaker(clock=sb.clock),
        rng=rng,
        world=sb.world,
        backoffice=sb.backoffice,
        clock=sb.clock,
        catalog=sb.catalog,
    )
    cache = {}
    return lambda question: serve(question, [("primary", primary.ask)], cache=cache)
