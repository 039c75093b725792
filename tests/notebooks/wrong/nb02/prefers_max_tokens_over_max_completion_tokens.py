# Exercise 2.1 — reads the legacy max_tokens first: a body carrying both is priced on the wrong ceiling.
# expect: `max_completion_tokens`
# rule: 2.1/worst-ceiling-order


def worst_case_cost(body, catalog):
    spec = catalog.resolve(body["model"])
    prompt = count_message_tokens(body["messages"], body.get("tools"))
    ceiling = body.get("max_tokens") or body.get("max_completion_tokens")
    if ceiling is None:
        ceiling = min(spec.max_output_tokens, max(spec.context_window - prompt, 0))
    return (prompt * spec.usd_per_1m_input + ceiling * spec.usd_per_1m_output) / 1_000_000
