"""4.3: a chain of providers with no last rung: when every provider fails, the error reaches the customer as a 500."""
# ruff: noqa: F821 -- overlays the solution notebook's namespace (is_retryable, Served, SupportAgent, ...)
# expect: the user never sees a 500


def serve(question, rungs, *, cache):
    error = None
    for name, ask in rungs:
        try:
            reply = ask(question)
        except Exception as exc:
            error = exc
            continue
        cache[question] = reply
        return Served(reply.answer, name, reply)
    raise error
