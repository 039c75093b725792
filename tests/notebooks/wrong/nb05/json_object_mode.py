# Exercise 5.5 — JSON mode: valid JSON without fences, but the new snapshot still names the field order_status.
# expect: the golden suite should pass on both snapshots
# rule: 5.5/both-snapshots, 5.5/structured-outputs


def register_v2(registry):
    v1 = registry.get("support", "1")
    return registry.register("support", "2", v1.template, response_format={"type": "json_object"})
