# Exercise 4.2 — returns the success's JSON body, not the response: the caller cannot read its status.
# expect: the httpx.Response with status 200
# rule: 4.2/success-returned

import httpx


def call_with_retries(send, *, clock, rng, max_attempts=4, base=0.5, cap=8.0, deadline=30.0) -> httpx.Response:
    """send() until it succeeds, the failure is permanent, the attempts run out or the deadline would pass."""
    started = clock.now()
    for attempt in range(1, max_attempts + 1):
        try:
            outcome = send()
        except httpx.TransportError as exc:
            outcome = exc
        if isinstance(outcome, httpx.Response) and outcome.is_success:
            return outcome.json()
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
