# Exercise 5.5 — JSON mode: valid JSON without fences, but the new snapshot still names the field order_status.
# expect: the schema's fields should be exactly SupportAnswer's


def register_v2(registry):
    v1 = registry.get("support", "1")
    return registry.register("support", "2", v1.template, response_format={"type": "json_object"})
