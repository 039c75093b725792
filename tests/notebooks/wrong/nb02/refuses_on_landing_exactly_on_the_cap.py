# Exercise 2.2 — refuses when the worst case reaches the ceiling (>=): a request that fits exactly is turned away.
# expect: exactly the per-request cap was refused
# rule: 2.2/cross-not-reach


class HardBudget(HardBudget):
    def handle_request(self, request):
        if request.url.path.endswith("/chat/completions") and self.per_request is not None:
            estimate = worst_case_cost(json.loads(request.content), self.catalog)
            if estimate >= self.per_request:
                raise BudgetExceeded("request", limit=self.per_request, spent=0.0, estimate=estimate)
        return super().handle_request(request)
