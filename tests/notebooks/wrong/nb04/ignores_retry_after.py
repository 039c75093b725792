# Exercise 4.2 — always uses its own backoff, even when the 429 says exactly how long to wait.
# expect: When the provider says how long to wait
# rule: 4.2/retry-after-ms-first

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
        wait = rng.uniform(0, min(cap, base * 2 ** (attempt - 1)))
        if clock.now() + wait > started + deadline:
            break
        clock.sleep(wait)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
