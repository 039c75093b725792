# Exercise 1.4 — averages token logprobs
# expect: least likely token
# The mean logprob (perplexity style): one invented word drowns among fifty sure ones.
# Overlays the solution notebook's namespace: the learner's other names come from there.
# ruff: noqa: F821


def answer_confidence(response):
    logprobs = (response["choices"][0].get("logprobs") or {}).get("content") or []
    if not logprobs:
        return 0.0
    return math.exp(sum(t["logprob"] for t in logprobs) / len(logprobs))
