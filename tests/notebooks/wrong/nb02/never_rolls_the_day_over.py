# Exercise 2.2: one running total for ever: yesterday's spend blocks today.
# ruff: noqa: F821  (the names come from the solution notebook this file is overlaid on)
class HardBudget(HardBudget):
    def handle_request(self, request):
        self.day = self.clock.datetime().date()  # pretend it is always the day we started counting
        return super().handle_request(request)
