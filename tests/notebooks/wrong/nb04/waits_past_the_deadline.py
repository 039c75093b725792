# Exercise 4.2 — sleeps first and looks at the deadline afterwards, so the customer waits past it for nothing.
# expect: never wait past it
# rule: 4.2/deadline

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
        if isinstance(outcome, httpx.Response) and "retry-after-ms" in outcome.headers:
            wait = float(outcome.headers["retry-after-ms"]) / 1000
        clock.sleep(wait)
        if clock.now() > started + deadline:
            break
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
