"""4.1: "just retry on any error": a 400, a 401 or a request too long for the context window is retried too."""
# ruff: noqa: F821 -- overlays the solution notebook's namespace (is_retryable, Served, SupportAgent, ...)
# expect: expected: False


def is_retryable(failure):
    return True
