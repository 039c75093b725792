# Exercise 2.2 — reserves the worst case and never settles it to the real cost: the budget runs out far too early.
# expect: charge what it actually cost (its usage), not the worst case
# rule: 2.2/charge-actual-cost


class HardBudget(HardBudget):
    def handle_request(self, request):
        estimate = worst_case_cost(json.loads(request.content), self.catalog)
        for scope, limit, spent in (
            ("request", self.per_request, 0.0),
            ("session", self.per_session, self.session_spent),
            ("day", self.per_day, self.day_spent),
        ):
            if limit is not None and spent + estimate > limit:
                raise BudgetExceeded(scope, limit=limit, spent=spent, estimate=estimate)
        self.session_spent += estimate
        self.day_spent += estimate
        if self.on_spend is not None:
            self.on_spend(self.day_spent)
        return self.inner.handle_request(request)
