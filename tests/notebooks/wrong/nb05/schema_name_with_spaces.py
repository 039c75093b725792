# Exercise 5.5 — the schema is named "Support answer v2": the provider refuses a name with spaces and dots (a 400).
# expect: with a name and strict: True
# rule: 5.5/structured-outputs


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
    fmt = {"type": "json_schema", "json_schema": {"name": "Support answer v2.0", "strict": True, "schema": schema}}
    return registry.register("support", "2", registry.get("support", "1").template, response_format=fmt)
