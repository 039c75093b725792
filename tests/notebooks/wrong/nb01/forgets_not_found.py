# Exercise 1.1 — forgets not found
# expect: Answer rejected a correct answer (status 'not_found')
# rule: 1.1/status-values
# Its own list of statuses, written from the order tool's values: 'not_found' is missing.


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1)
    status: Literal["processing", "shipped", "delivered", "cancelled", "refunded", "unknown"]
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
