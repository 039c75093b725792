# Exercise 4.1 — lists the 5xx statuses the mock sends (500, 503) instead of every 5xx: a 502 from the gateway is final.
# expect: every status from 500 to 599
# rule: 4.1/every-5xx-retried
import httpx


def is_retryable(failure):
    if isinstance(failure, httpx.TransportError):
        return isinstance(failure, httpx.TimeoutException | httpx.NetworkError)
    if not isinstance(failure, httpx.Response):
        return False
    status = failure.status_code
    if status in (408, 409, 500, 503):
        return True
    if status != 429:
        return False
    try:
        code = failure.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    if code == "insufficient_quota":
        return False
    return "retry-after" in failure.headers or "Request too large" not in failure.text
