# Exercise 2.1 — counts the words of the messages, not the per-message overhead and the tool definitions.
# expect: every message's overhead and the tools too
# rule: 2.1/worst-prompt-as-the-api


def worst_case_cost(body, catalog):
    spec = catalog.resolve(body["model"])
    prompt = sum(count_tokens(m.get("content") or "") for m in body["messages"])
    ceiling = body.get("max_completion_tokens") or body.get("max_tokens") or spec.max_output_tokens
    return (prompt * spec.usd_per_1m_input + ceiling * spec.usd_per_1m_output) / 1_000_000
