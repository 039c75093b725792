# exercise: 5.5
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# JSON mode: valid JSON without fences, but the new snapshot still names the field order_status.


def register_v2(registry):
    v1 = registry.get("support", "1")
    return registry.register("support", "2", v1.template, response_format={"type": "json_object"})
