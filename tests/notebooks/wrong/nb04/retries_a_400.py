# Exercise 4.1 — "just retry on any error": a 400, a 401 or a request too long for the context window is retried too.
# expect: expected: False
# rule: 4.1/client-errors-never


def is_retryable(failure):
    return True
