# Exercise 4.2 — reads retry-after-ms only: a gateway's 503 with a plain retry-after gets the backoff instead.
# expect: Without retry-after-ms, the wait is retry-after
# rule: 4.2/retry-after-seconds

import httpx


def retry_after(response: httpx.Response) -> float | None:
    """The wait the provider asked for, in seconds, or None."""
    for header, scale in (("retry-after-ms", 1000.0),):
        value = response.headers.get(header)
        if value is not None:
            try:
                return max(float(value) / scale, 0.0)
            except ValueError:
                continue
    return None
