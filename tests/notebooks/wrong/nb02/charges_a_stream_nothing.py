# Exercise 2.2 — a stream cannot be read up front, so it is let through free: streamed loops are never stopped.
# expect: a stream should be charged its worst case
# rule: 2.2/stream-charged


class HardBudget(HardBudget):
    def handle_request(self, request):
        day, session = self.day_spent, self.session_spent
        response = super().handle_request(request)
        if "text/event-stream" in response.headers.get("content-type", ""):
            self.day_spent, self.session_spent = day, session
        return response
