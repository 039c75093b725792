# Exercise 4.2 — draws the jitter from the `random` module instead of the rng it was given: runs no longer replay.
# expect: With the same seeded rng
# rule: 4.2/full-jitter

import random as _random

import httpx


def call_with_retries(send, *, clock, rng, max_attempts=4, base=0.5, cap=8.0, deadline=30.0):
    started = clock.now()
    for attempt in range(1, max_attempts + 1):
        try:
            outcome = send()
        except httpx.TransportError as exc:
            outcome = exc
        if isinstance(outcome, httpx.Response) and outcome.is_success:
            return outcome
        if attempt == max_attempts or not is_retryable(outcome):
            break
        wait = _random.uniform(0, min(cap, base * 2 ** (attempt - 1)))
        if isinstance(outcome, httpx.Response) and "retry-after-ms" in outcome.headers:
            wait = float(outcome.headers["retry-after-ms"]) / 1000
        if clock.now() + wait > started + deadline:
            break
        clock.sleep(wait)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
