# Exercise 2.1 — window minus prompt, unguarded: a prompt bigger than the window gets a negative completion ceiling.
# expect: and never less than nothing
# rule: 2.1/worst-no-ceiling


def worst_case_cost(body, catalog):
    spec = catalog.resolve(body["model"])
    prompt = count_message_tokens(body["messages"], body.get("tools"))
    ceiling = body.get("max_completion_tokens") or body.get("max_tokens")
    if ceiling is None:
        ceiling = min(spec.max_output_tokens, spec.context_window - prompt)
    return (prompt * spec.usd_per_1m_input + ceiling * spec.usd_per_1m_output) / 1_000_000
