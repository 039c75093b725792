# Exercise 4.1 — treats every 429 alike, so an exhausted quota is retried (waiting never adds money to the account).
# expect: Waiting does not put money in the account
# rule: 4.1/quota-never

import httpx


def is_retryable(failure):
    if isinstance(failure, httpx.TransportError):
        return isinstance(failure, httpx.TimeoutException | httpx.NetworkError)
    if not isinstance(failure, httpx.Response):
        return False
    status = failure.status_code
    if status in (408, 409) or status >= 500:
        return True
    if status != 429:
        return False
    return "retry-after" in failure.headers or "Request too large" not in failure.text
