# Exercise 2.1 — reads total_tokens and prices it all at the (cheaper) input rate.
# expect: Input and output tokens have different prices
# rule: 2.1/cost-from-usage


def cost_of(response, catalog):
    spec = catalog.resolve(response["model"])
    return response["usage"]["total_tokens"] * spec.usd_per_1m_input / 1_000_000
