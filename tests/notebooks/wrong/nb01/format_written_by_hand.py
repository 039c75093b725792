# Exercise 1.1 — format written by hand
# expect: should be your Answer's JSON schema
# rule: 1.1/format-from-answer
# The schema is typed out by hand, and drifted: it lacks the confidence field the model says it has.

ANSWER_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "support_answer",
        "strict": True,
        "schema": {
            "type": "object",
            "additionalProperties": False,
            "required": ["answer", "status", "order_id", "citations", "action", "refund_amount"],
            "properties": {
                "answer": {"type": "string"},
                "status": {"type": "string"},
                "order_id": {"type": "string"},
                "citations": {"type": "array", "items": {"type": "string"}},
                "action": {"type": "string", "enum": ["none", "refund", "escalate"]},
                "refund_amount": {"type": "number"},
            },
        },
    },
}
