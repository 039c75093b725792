# Exercise 4.3 — stores the degraded message in the cache, so later it is served as if it were a real earlier answer.
# expect: nothing real was ever answered
# rule: 4.3/degraded-not-cached

from weekfour import Reply


def serve(question, rungs, *, cache):
    for name, ask in rungs:
        try:
            reply = ask(question)
        except Exception:
            continue
        cache[question] = reply
        return Served(reply.answer, name, reply)
    if question in cache:
        return Served(cache[question].answer, "cache", cache[question])
    cache[question] = Reply(question=question, answer=DEGRADED_MESSAGE, status="", data={})
    return Served(DEGRADED_MESSAGE, "degraded")
