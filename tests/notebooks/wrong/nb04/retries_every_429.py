# Exercise 4.1 — treats every 429 alike, so an exhausted quota is retried (waiting never adds money to the account).
# expect: Waiting does not put money in the account

import httpx


def is_retryable(failure):
    if isinstance(failure, httpx.TransportError):
        return True
    return failure.status_code == 429 or failure.status_code >= 500
