# Exercise 1.1 — allows extra fields
# expect: extra field
# rule: 1.1/extra-forbidden
# The model does not forbid extra fields, so {"approved_by": "admin"} slips through to the backoffice.

from typing import Literal

from pydantic import BaseModel, Field, model_validator


class Answer(BaseModel):
    answer: str = Field(min_length=1)
    status: Literal["processing", "shipped", "delivered", "cancelled", "refunded", "not_found", "unknown"]
    order_id: str = Field(pattern=r"^([A-Z]\d{4})?$")
    citations: list[str]
    action: Literal["none", "refund", "escalate"]
    refund_amount: float = Field(ge=0)
    confidence: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _refunds_are_complete(self) -> "Answer":
        if self.action == "refund" and (not self.order_id or self.refund_amount <= 0):
            raise ValueError("a refund needs the order_id and a refund_amount above 0")
        if self.action != "refund" and self.refund_amount != 0:
            raise ValueError("refund_amount must be 0 unless action is 'refund'")
        return self


ANSWER_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "support_answer", "strict": True, "schema": Answer.model_json_schema()},
}
