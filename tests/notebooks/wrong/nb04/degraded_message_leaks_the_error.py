# Exercise 4.3 — degraded mode shows the customer the exception text instead of a message they can act on.
# expect: with no error details
# rule: 4.3/degraded


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
    if question in cache:
        return Served(cache[question].answer, "cache", cache[question])
    return Served(f"Error: {type(error).__name__}: {error}", "degraded")
