# exercise: 5.5
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# A sterner prompt and no contract at the source: the new snapshot fences and renames regardless.


def register_v2(registry):
    v1 = registry.get("support", "1")
    stern = (
        v1.template
        + "\nIMPORTANT: reply with the bare JSON object only. No code fences, no preamble. The key is `status`,"
        " never `order_status`."
    )
    return registry.register("support", "2", stern)
