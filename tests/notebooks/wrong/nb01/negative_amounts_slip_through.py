# Exercise 1.1 — negative amounts slip through
# expect: a negative refund
# rule: 1.1/amount-not-negative
# No bound on the field, and the validators compare with 0 by == and >: a refund of -50 passes.


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1)
    status: OrderStatus
    order_id: str = Field(pattern=r"^([A-Z]\d{4})?$")
    citations: list[str]
    action: Literal["none", "refund", "escalate"]
    refund_amount: float
    confidence: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _refunds_are_complete(self) -> "Answer":
        if self.action == "refund" and (not self.order_id or self.refund_amount == 0):
            raise ValueError("a refund needs the order_id and a refund_amount above 0")
        if self.action != "refund" and self.refund_amount > 0:
            raise ValueError("refund_amount must be 0 unless action is 'refund'")
        return self
