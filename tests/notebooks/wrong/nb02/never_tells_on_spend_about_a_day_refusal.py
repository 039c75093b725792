# Exercise 2.2 — refuses for the day without telling on_spend: the 100% alert never fires, the night goes quiet.
# expect: tell on_spend before you refuse for the day
# rule: 2.2/on-spend-on-day-refusal


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
                raise BudgetExceeded(scope, limit=limit, spent=spent, estimate=estimate)
        response = self.inner.handle_request(request)
        if response.status_code != 200:
            return response
        if "text/event-stream" in response.headers.get("content-type", ""):
            cost = estimate
        else:
            response.read()
            cost = cost_of(response.json(), self.catalog)
        self.session_spent += cost
        self.day_spent += cost
        if self.on_spend is not None:
            self.on_spend(self.day_spent)
        return response
