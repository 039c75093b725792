# Exercise 1.5 — forgets logprobs
# expect: ask for the strict schema and for token logprobs
# rule: 1.5/request-body
# Sends the schema but not logprobs=True: every answer has confidence 0.0 and goes to a person.


class GuardedAgent(GuardedAgent):
    def request_body(self, messages):
        body = SupportAgent.request_body(self, messages)
        body.update(response_format=ANSWER_FORMAT)
        return body
