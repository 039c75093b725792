# Exercise 2.2 — sends first, then notices the day is over budget: the crossing request is already paid for.
# expect: Decide before sending, from what the request could cost at most
# rule: 2.2/refuse-before-send


class HardBudget(HardBudget):
    def handle_request(self, request):
        response = self.inner.handle_request(request)
        if response.status_code == 200:
            response.read()
            cost = cost_of(response.json(), self.catalog)
            self.session_spent += cost
            self.day_spent += cost
            if self.on_spend is not None:
                self.on_spend(self.day_spent)
        for scope, limit, spent in (
            ("session", self.per_session, self.session_spent),
            ("day", self.per_day, self.day_spent),
        ):
            if limit is not None and spent > limit:
                raise BudgetExceeded(scope, limit=limit, spent=spent, estimate=0.0)
        return response
