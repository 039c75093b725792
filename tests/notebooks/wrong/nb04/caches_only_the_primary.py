# Exercise 4.3 — remembers only the primary's answers: what the backup answered in an outage is lost when it fails too.
# expect: whichever rung answered, remember it
# rule: 4.3/answer-cached


def serve(question: str, rungs: list, *, cache: dict) -> Served:
    """Answer from the first healthy rung, else from the cache, else in degraded mode. Never raises."""
    for name, ask in rungs:
        try:
            reply = ask(question)
        except Exception:
            continue
        if name == "primary":
            cache[question] = reply
        return Served(reply.answer, name, reply)
    if question in cache:
        reply = cache[question]
        return Served(reply.answer, "cache", reply)
    return Served(DEGRADED_MESSAGE, "degraded")
