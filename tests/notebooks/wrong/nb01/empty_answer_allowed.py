# Exercise 1.1 — empty answer allowed
# expect: an empty answer
# rule: 1.1/answer-not-empty
# answer is a plain str: the customer can be sent nothing at all.


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str
    status: OrderStatus
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
