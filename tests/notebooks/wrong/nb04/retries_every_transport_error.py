# Exercise 4.1 — retries every httpx.TransportError: a proxy misconfiguration or a bad URL is retried too.
# expect: Only timeouts and network errors are worth another try
# rule: 4.1/other-transport-permanent
import httpx


def is_retryable(failure):
    if isinstance(failure, httpx.TransportError):
        return True
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
    return "retry-after" in failure.headers or "Request too large" not in failure.text
