# Exercise 5.5 — the migration is registered as "v2": the pin and the suite ask for "2" and find nothing.
# expect: should register the migration as version "2"
# rule: 5.5/new-version


def register_v2(registry):
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "answer": {"type": "string"},
            "status": {
                "type": ["string", "null"],
                "enum": ["processing", "shipped", "delivered", "cancelled", "refunded", "not_found", "unknown", None],
            },
            "order_id": {"type": ["string", "null"]},
            "citations": {"type": "array", "items": {"type": "string"}},
            "action": {"type": "string", "enum": ["none", "refund", "escalate"]},
            "refund_amount": {"type": ["number", "null"]},
            "confidence": {"type": "number"},
        },
        "required": ["answer", "status", "order_id", "citations", "action", "refund_amount", "confidence"],
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "support_answer", "strict": True, "schema": schema}}
    return registry.register("support", "v2", registry.get("support", "1").template, response_format=fmt)
