# Exercise 5.5 — nullability in OpenAPI's spelling ("nullable": true): strict mode reads a plain string, never null.
# expect: each with its type, allowed values and nullability
# rule: 5.5/matches-contract


def register_v2(registry):
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "answer": {"type": "string"},
            "status": {
                "type": "string",
                "nullable": True,
                "enum": ["processing", "shipped", "delivered", "cancelled", "refunded", "not_found", "unknown"],
            },
            "order_id": {"type": "string", "nullable": True},
            "citations": {"type": "array", "items": {"type": "string"}},
            "action": {"type": "string", "enum": ["none", "refund", "escalate"]},
            "refund_amount": {"type": "number", "nullable": True},
            "confidence": {"type": "number"},
        },
        "required": ["answer", "status", "order_id", "citations", "action", "refund_amount", "confidence"],
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "support_answer", "strict": True, "schema": schema}}
    return registry.register("support", "2", registry.get("support", "1").template, response_format=fmt)
