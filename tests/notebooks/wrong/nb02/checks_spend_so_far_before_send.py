# Exercise 2.2 — the soft budget of most proxies: refuse only once spend-so-far has reached the limit.
# expect: Checking what was spent so far lets the crossing request through
# rule: 2.2/refuse-before-send


class HardBudget(HardBudget):
    def handle_request(self, request):
        for scope, limit, spent in (
            ("request", self.per_request, 0.0),
            ("session", self.per_session, self.session_spent),
            ("day", self.per_day, self.day_spent),
        ):
            if limit is not None and spent >= limit:
                raise BudgetExceeded(scope, limit=limit, spent=spent, estimate=0.0)
        response = self.inner.handle_request(request)
        if response.status_code == 200:
            response.read()
            cost = cost_of(response.json(), self.catalog)
            self.session_spent += cost
            self.day_spent += cost
            if self.on_spend is not None:
                self.on_spend(self.day_spent)
        return response
