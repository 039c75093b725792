# Exercise 5.5 — nullable fields are left out of `required`: strict mode refuses the schema (a 400 on the first request)
# expect: strict mode needs every property in required
# rule: 5.5/strict-schema


def register_v2(registry):
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "answer": {"type": "string"},
            "status": {"type": "string"},
            "order_id": {"type": "string"},
            "citations": {"type": "array", "items": {"type": "string"}},
            "action": {"type": "string", "enum": ["none", "refund", "escalate"]},
            "refund_amount": {"type": "number"},
            "confidence": {"type": "number"},
        },
        "required": ["answer", "citations", "action", "confidence"],
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "support_answer", "strict": True, "schema": schema}}
    return registry.register("support", "2", registry.get("support", "1").template, response_format=fmt)
