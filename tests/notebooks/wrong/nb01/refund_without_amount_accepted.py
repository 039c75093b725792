# Exercise 1.1 — refund without amount accepted
# expect: a refund with no amount
# rule: 1.1/refund-complete
# Every field is typed, but nothing checks the fields against each other: a refund of $0 for no order.

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1)
    status: Literal["processing", "shipped", "delivered", "cancelled", "refunded", "not_found", "unknown"]
    order_id: str = Field(pattern=r"^([A-Z]\d{4})?$")
    citations: list[str]
    action: Literal["none", "refund", "escalate"]
    refund_amount: float = Field(ge=0)
    confidence: float = Field(ge=0, le=1)


ANSWER_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "support_answer", "strict": True, "schema": Answer.model_json_schema()},
}
