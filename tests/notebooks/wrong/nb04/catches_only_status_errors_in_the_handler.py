# Exercise 4.5 — hand-rolls the chain and catches httpx.HTTPError only: an open circuit (CircuitOpen) escapes as a 500.
# expect: got a 500
# rule: 4.5/never-500

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
    cache: dict = {}
    rungs = [("primary", primary.ask), ("backup", backup.ask)]

    def handle(question):
        for name, ask in rungs:
            try:
                reply = ask(question)
            except httpx.HTTPError:
                continue
            cache[question] = reply
            return Served(reply.answer, name, reply)
        if question in cache:
            return Served(cache[question].answer, "cache", cache[question])
        return Served(DEGRADED_MESSAGE, "degraded")

    return handle
