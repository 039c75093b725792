# Exercise 6.2 — sends the request first and checks the budget when the bill is already there.
# expect: notebook 02
# rule: 6.2/same-as-02
class HardBudget(HardBudget):
    def handle_request(self, request):
        if not request.url.path.endswith("/chat/completions"):
            return self.inner.handle_request(request)
        response = self.inner.handle_request(request)
        if response.status_code != 200:
            return response
        response.read()
        cost = cost_of(response.json(), self.catalog)
        for scope, limit, spent in (
            ("session", self.per_session, self.session_spent),
            ("day", self.per_day, self.day_spent),
        ):
            if limit is not None and spent + cost > limit:
                raise BudgetExceeded(scope, limit=limit, spent=spent, estimate=cost)
        self.session_spent += cost
        self.day_spent += cost
        return response
