# Exercise 1.4 — missing logprobs means sure
# expect: should return 0.0
# rule: 1.4/no-logprobs-zero
# When the response carries no logprobs (the request forgot to ask), the answer is waved through.


def answer_confidence(response):
    logprobs = (response["choices"][0].get("logprobs") or {}).get("content") or []
    if not logprobs:
        return 1.0
    return math.exp(min(t["logprob"] for t in logprobs))
