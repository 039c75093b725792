# Exercise 1.4 — multiplies token probabilities
# expect: least likely token
# rule: 1.4/weakest-token
# The probability of the whole sequence: every long answer looks unsure, whatever it says.


def answer_confidence(response):
    logprobs = (response["choices"][0].get("logprobs") or {}).get("content") or []
    if not logprobs:
        return 0.0
    return math.exp(sum(t["logprob"] for t in logprobs))
