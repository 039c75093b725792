# Exercise 1.1 — amount checked one way
# expect: an amount on an answer that is not a refund
# rule: 1.1/amount-only-on-refund
# Checks that a refund has an amount, not that an answer that is no refund has none.


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1)
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
        return self
