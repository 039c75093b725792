# Exercise 2.1 — works out the completion as total_tokens - prompt_tokens: a usage without total_tokens is free.
# expect: no prompt count
# rule: 2.1/cost-missing-usage


def cost_of(response, catalog):
    usage = response.get("usage") or {}
    spec = catalog.resolve(response["model"])
    prompt = usage.get("prompt_tokens", 0)
    completion = max(usage.get("total_tokens", 0) - prompt, 0)
    return (prompt * spec.usd_per_1m_input + completion * spec.usd_per_1m_output) / 1_000_000
