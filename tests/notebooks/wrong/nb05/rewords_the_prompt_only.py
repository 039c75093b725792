# Exercise 5.5 — A sterner prompt and no contract at the source: the new snapshot fences and renames regardless.
# expect: Wording asks; only a response format the provider enforces
# rule: 5.5/both-snapshots


def register_v2(registry):
    v1 = registry.get("support", "1")
    stern = (
        v1.template
        + "\nIMPORTANT: reply with the bare JSON object only. No code fences, no preamble. The key is `status`,"
        " never `order_status`."
    )
    return registry.register("support", "2", stern)
