# Exercise 2.2 — decides before sending, but on the prompt alone: the answer's tokens push the day over.
# expect: per-request cap: the request went through
# rule: 2.2/refuse-before-send


class HardBudget(HardBudget):
    def handle_request(self, request):
        body = json.loads(request.content)
        spec = self.catalog.resolve(body["model"])
        estimate = count_message_tokens(body["messages"], body.get("tools")) * spec.usd_per_1m_input / 1_000_000
        for scope, limit, spent in (
            ("request", self.per_request, 0.0),
            ("session", self.per_session, self.session_spent),
            ("day", self.per_day, self.day_spent),
        ):
            if limit is not None and spent + estimate > limit:
                raise BudgetExceeded(scope, limit=limit, spent=spent, estimate=estimate)
        response = self.inner.handle_request(request)
        if response.status_code == 200:
            response.read()
            cost = cost_of(response.json(), self.catalog)
            self.session_spent += cost
            self.day_spent += cost
            if self.on_spend is not None:
                self.on_spend(self.day_spent)
        return response
