# Exercise 6.2 — pastes a cost_of that prices the prompt only: the output tokens, four times dearer, go unbilled.
# expect: notebook 02
# rule: 6.2/same-as-02
def cost_of(response, catalog):
    usage = response.get("usage") or {}
    spec = catalog.resolve(response["model"])
    return usage.get("prompt_tokens", 0) * spec.usd_per_1m_input / 1_000_000
