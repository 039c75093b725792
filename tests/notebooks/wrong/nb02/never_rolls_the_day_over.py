# Exercise 2.2 — one running total for ever: yesterday's spend blocks today.
# expect: yesterday's spend still counts against today
# rule: 2.2/day-rollover


class HardBudget(HardBudget):
    def handle_request(self, request):
        self.day = self.clock.datetime().date()  # pretend it is always the day we started counting
        return super().handle_request(request)
