# Exercise 6.1 — pastes an answer_confidence that averages the tokens: one invented digit hides among sure ones.
# expect: notebook 01
# rule: 6.1/same-as-01
def answer_confidence(response):
    logprobs = (response["choices"][0].get("logprobs") or {}).get("content") or []
    if not logprobs:
        return 0.0
    return math.exp(sum(token["logprob"] for token in logprobs) / len(logprobs))
