# Exercise 2.1 — prices the prompt only, as if the answer were free.
# expect: then add the most completion tokens the request allows
# rule: 2.1/worst-ceiling-order


def worst_case_cost(body, catalog):
    spec = catalog.resolve(body["model"])
    return count_message_tokens(body["messages"], body.get("tools")) * spec.usd_per_1m_input / 1_000_000
