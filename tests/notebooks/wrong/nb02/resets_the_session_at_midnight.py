# Exercise 2.2 — a new day resets everything: a conversation going on over midnight gets a fresh session budget.
# expect: a new day is not a new session
# rule: 2.2/day-rollover


class HardBudget(HardBudget):
    def handle_request(self, request):
        if self.clock.datetime().date() != self.day:
            self.session_spent = 0.0
        return super().handle_request(request)
