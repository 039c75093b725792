# Exercise 4.1 — retries 429s and 5xx but gives up on a 408 Request Timeout and a 409 Conflict.
# expect: A 408 and a 409 are worth another try
# rule: 4.1/408-409-retried
import httpx


def is_retryable(failure):
    if isinstance(failure, httpx.TransportError):
        return isinstance(failure, httpx.TimeoutException | httpx.NetworkError)
    if not isinstance(failure, httpx.Response):
        return False
    status = failure.status_code
    if status >= 500:
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
