# Exercise 4.3 — falls back on HTTP status errors only; a timeout or a refused connection escapes as a 500.
# expect: Whatever a rung raises, move on
# rule: 4.3/every-failure-moves-on

import httpx


def serve(question, rungs, *, cache):
    for name, ask in rungs:
        try:
            reply = ask(question)
        except httpx.HTTPStatusError:
            continue
        cache[question] = reply
        return Served(reply.answer, name, reply)
    if question in cache:
        return Served(cache[question].answer, "cache", cache[question])
    return Served(DEGRADED_MESSAGE, "degraded")
