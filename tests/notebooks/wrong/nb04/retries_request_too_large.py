# Exercise 4.1 — gets the common cases right but retries a 429 'Request too large' that exceeds the whole TPM limit.
# expect: Request too large
# rule: 4.1/too-large-never

import httpx


def is_retryable(failure):
    if isinstance(failure, httpx.TransportError):
        return True
    if failure.status_code == 429:
        return failure.json()["error"]["code"] != "insufficient_quota"
    return failure.status_code >= 500
