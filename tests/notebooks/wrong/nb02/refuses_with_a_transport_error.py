# Exercise 2.2 — refuses with an httpx error: the openai SDK retries it and reports a connection error instead.
# expect: An httpx error or an HTTP error response is something clients retry
# rule: 2.2/refusal-fields


class HardBudget(HardBudget):
    def handle_request(self, request):
        try:
            return super().handle_request(request)
        except BudgetExceeded as exc:
            raise httpx.ConnectError(str(exc), request=request) from None
