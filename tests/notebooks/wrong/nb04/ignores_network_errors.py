# Exercise 4.1 — only looks at status codes; timeouts and refused connections (exceptions, no status) are never retried.
# expect: Timeouts and refused connections arrive as exceptions
# rule: 4.1/transport-retried

import httpx


def is_retryable(failure):
    if not isinstance(failure, httpx.Response):
        return False
    if failure.status_code == 429:
        return failure.json()["error"]["code"] != "insufficient_quota"
    return failure.status_code >= 500
