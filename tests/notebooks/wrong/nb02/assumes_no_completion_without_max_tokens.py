# Exercise 2.1 — a body without max_tokens is priced as if the model could not answer at all.
# expect: no completion ceiling
# rule: 2.1/worst-no-ceiling


def worst_case_cost(body, catalog):
    spec = catalog.resolve(body["model"])
    prompt = count_message_tokens(body["messages"], body.get("tools"))
    ceiling = body.get("max_completion_tokens") or body.get("max_tokens") or 0
    return (prompt * spec.usd_per_1m_input + ceiling * spec.usd_per_1m_output) / 1_000_000
