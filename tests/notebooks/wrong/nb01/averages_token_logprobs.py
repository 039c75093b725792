# Exercise 1.4 — averages token logprobs
# expect: least likely token
# rule: 1.4/weakest-token
# The mean logprob (perplexity style): one invented word drowns among fifty sure ones.


def answer_confidence(response):
    logprobs = (response["choices"][0].get("logprobs") or {}).get("content") or []
    if not logprobs:
        return 0.0
    return math.exp(sum(t["logprob"] for t in logprobs) / len(logprobs))
