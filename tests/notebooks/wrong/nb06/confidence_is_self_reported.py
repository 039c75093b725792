# Exercise 6.1 — trusts the confidence the model wrote about itself instead of its token logprobs.
# expect: confidence
# rule: 6.1/same-as-01
# Overlays the solution notebook's namespace: the learner's other names come from there.
def answer_confidence(response):
    content = response["choices"][0]["message"].get("content") or "{}"
    return float(json.loads(content).get("confidence", 0.0))
