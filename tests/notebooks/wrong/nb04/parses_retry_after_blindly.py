# Exercise 4.2 — float()s the retry header without a guard: a retry-after that is an HTTP date crashes the retry loop.
# expect: raised ValueError
# rule: 4.2/retry-after-not-a-number

import httpx


def retry_after(response: httpx.Response) -> float | None:
    """The wait the provider asked for, in seconds, or None."""
    for header, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = response.headers.get(header)
        if value is not None:
            return max(float(value) / scale, 0.0)
    return None
