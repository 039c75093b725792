# Exercise 6.4 — pastes a serve that answers from the cache before asking any rung: order statuses go stale.
# expect: notebook 04
# rule: 6.4/same-as-04
_serve_fresh = serve


def serve(question, rungs, *, cache):
    if question in cache:
        return Served(cache[question].answer, "cache", cache[question])
    return _serve_fresh(question, rungs, cache=cache)
