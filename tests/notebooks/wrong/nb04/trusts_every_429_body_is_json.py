# Exercise 4.1 — reads the error code without a guard: a gateway's plain-text 429 is called permanent.
# expect: do not fail when there is none
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
    except ValueError:
        return False
    if code == "insufficient_quota":
        return False
    return "retry-after" in failure.headers or "Request too large" not in failure.text
