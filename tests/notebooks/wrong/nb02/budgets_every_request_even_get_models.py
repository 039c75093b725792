# Exercise 2.2 — prices every request it sees: a GET /models has no JSON body and breaks the transport.
# expect: GET /models (not a chat completion) did not pass through the budget
# rule: 2.2/only-chat-completions
_solution_handle_request = HardBudget.handle_request


class HardBudget(HardBudget):
    def handle_request(self, request):
        json.loads(request.content)  # every request is priced, whatever its path
        return _solution_handle_request(self, request)
