# Exercise 4.2 — a correct loop whose defaults are not the signature's: 3 attempts from a base of 1 s.
# expect: should use the defaults of call_with_retries
# rule: 4.2/defaults

import httpx


def call_with_retries(send, *, clock, rng, max_attempts=3, base=1.0, cap=8.0, deadline=30.0):
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
        wait = retry_after(outcome) if isinstance(outcome, httpx.Response) else None
        if wait is None:
            wait = rng.uniform(0, min(cap, base * 2 ** (attempt - 1)))
        if clock.now() + wait > started + deadline:
            break
        clock.sleep(wait)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
