# Exercise 4.1 — `status > 498`: an off-by-one that counts nginx's 499 (the client hung up) as a server error.
# expect: A 499 is not a 5xx
# rule: 4.1/every-5xx-retried
import httpx


def is_retryable(failure):
    if isinstance(failure, httpx.TransportError):
        return isinstance(failure, httpx.TimeoutException | httpx.NetworkError)
    if not isinstance(failure, httpx.Response):
        return False
    status = failure.status_code
    if status in (408, 409) or status > 498:
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
