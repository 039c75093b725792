# Exercise 2.2 — "an error costs 0, so charging it is harmless": every response is charged and reported to on_spend.
# expect: error response was charged
# rule: 2.2/errors-cost-nothing


class HardBudget(HardBudget):
    def handle_request(self, request):
        if not request.url.path.endswith("/chat/completions"):
            return self.inner.handle_request(request)
        today = self.clock.datetime().date()
        if today != self.day:
            self.day, self.day_spent = today, 0.0
        estimate = worst_case_cost(json.loads(request.content), self.catalog)
        for scope, limit, spent in (
            ("request", self.per_request, 0.0),
            ("session", self.per_session, self.session_spent),
            ("day", self.per_day, self.day_spent),
        ):
            if limit is not None and spent + estimate > limit:
                if scope == "day" and self.on_spend is not None:
                    self.on_spend(self.day_spent + estimate)
                raise BudgetExceeded(scope, limit=limit, spent=spent, estimate=estimate)
        response = self.inner.handle_request(request)
        if "text/event-stream" in response.headers.get("content-type", ""):
            cost = estimate
        else:
            response.read()
            cost = cost_of(response.json(), self.catalog) if response.status_code == 200 else 0.0
        self.session_spent += cost
        self.day_spent += cost
        if self.on_spend is not None:
            self.on_spend(self.day_spent)
        return response
