# Exercise 4.1 — the permanent cases fall off the end of the function: None instead of False.
# expect: should return a bool
# rule: 4.1/returns-bool
import httpx


def is_retryable(failure):
    if isinstance(failure, httpx.TransportError):
        if isinstance(failure, httpx.TimeoutException | httpx.NetworkError):
            return True
        return None
    if not isinstance(failure, httpx.Response):
        return None
    status = failure.status_code
    if status in (408, 409) or status >= 500:
        return True
    if status == 429:
        try:
            code = failure.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = None
        if code != "insufficient_quota" and (
            "retry-after" in failure.headers or "Request too large" not in failure.text
        ):
            return True
