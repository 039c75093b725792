# Exercise 4.3 — asks every rung (to keep the backup warm) and answers with the first: the backup bills every question.
# expect: While the primary answers, the backup should not be asked
# rule: 4.3/first-healthy-wins


def serve(question, rungs, *, cache):
    replies = []
    for name, ask in rungs:
        try:
            replies.append((name, ask(question)))
        except Exception:
            continue
    if replies:
        name, reply = replies[0]
        cache[question] = reply
        return Served(reply.answer, name, reply)
    if question in cache:
        reply = cache[question]
        return Served(reply.answer, "cache", reply)
    return Served(DEGRADED_MESSAGE, "degraded")
