# Exercise 1.4 — trusts self reported confidence
# expect: the number the model wrote about itself
# rule: 1.4/weakest-token
# Uses the confidence the model wrote about itself (always about 0.97, right or wrong).


def answer_confidence(response):
    content = response["choices"][0]["message"].get("content") or "{}"
    try:
        return float(json.loads(content).get("confidence", 0.0))
    except (json.JSONDecodeError, AttributeError, TypeError, ValueError):
        return 0.0
