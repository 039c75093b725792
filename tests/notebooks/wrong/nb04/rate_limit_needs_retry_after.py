# Exercise 4.1 — treats retry-after as the sign of rate limiting: a 429 rate_limit_exceeded without one is given up.
# expect: whether or not it says how long to wait
# rule: 4.1/rate-limit-retried
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
    try:
        code = failure.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    if code == "insufficient_quota":
        return False
    return "retry-after" in failure.headers
