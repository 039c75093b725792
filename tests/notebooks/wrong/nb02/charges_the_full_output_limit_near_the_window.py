# Exercise 2.1 — no ceiling in the body: charges max_output_tokens even when the window leaves less room than that.
# expect: never more than the window leaves
# rule: 2.1/worst-no-ceiling


def worst_case_cost(body, catalog):
    spec = catalog.resolve(body["model"])
    prompt = count_message_tokens(body["messages"], body.get("tools"))
    ceiling = body.get("max_completion_tokens") or body.get("max_tokens") or spec.max_output_tokens
    return (prompt * spec.usd_per_1m_input + ceiling * spec.usd_per_1m_output) / 1_000_000
