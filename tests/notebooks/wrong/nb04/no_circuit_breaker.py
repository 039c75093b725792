# Exercise 4.5 — retries and falls back, but never asks the breaker: every question hammers the dead primary again.
# expect: the dead primary received
# rule: 4.5/breaker-every-attempt


class GuardedAgent(SupportAgent):
    def __init__(self, client, *, breaker, rng, max_attempts=3, deadline=20.0, **kwargs):
        super().__init__(client, **kwargs)
        self.breaker = breaker
        self.rng = rng
        self.max_attempts = max_attempts
        self.deadline = deadline

    def call_model(self, messages):
        def send():
            return self.client.post("/chat/completions", json=self.request_body(messages))

        response = call_with_retries(
            send, clock=self.clock, rng=self.rng, max_attempts=self.max_attempts, deadline=self.deadline
        )
        response.raise_for_status()
        return response.json()
