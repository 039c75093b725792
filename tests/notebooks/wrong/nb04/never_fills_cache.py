# Exercise 4.3 — reads the cache but never writes it, so the cache rung can never serve anything.
# expect: the answer should come from the 'cache' rung
# rule: 4.3/answer-cached, 4.3/cache-rung


def serve(question, rungs, *, cache):
    for name, ask in rungs:
        try:
            reply = ask(question)
        except Exception:
            continue
        return Served(reply.answer, name, reply)
    if question in cache:
        return Served(cache[question].answer, "cache", cache[question])
    return Served(DEGRADED_MESSAGE, "degraded")
