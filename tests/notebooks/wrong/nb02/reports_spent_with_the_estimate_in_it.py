# Exercise 2.2 — the refusal's `spent` includes the refused request: the message says more was spent than was.
# expect: what its scope had spent before this request
# rule: 2.2/refusal-fields


class HardBudget(HardBudget):
    def handle_request(self, request):
        try:
            return super().handle_request(request)
        except BudgetExceeded as exc:
            raise BudgetExceeded(
                exc.scope, limit=exc.limit, spent=exc.spent + exc.estimate, estimate=exc.estimate
            ) from None
