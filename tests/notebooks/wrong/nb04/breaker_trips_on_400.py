# Exercise 4.5 — records every non-2xx as a provider failure: five too-long pastes open a healthy primary's breaker.
# expect: the primary is perfectly healthy
# rule: 4.5/others-success

import httpx


class GuardedAgent(SupportAgent):
    def __init__(self, client, *, breaker, rng, max_attempts=3, deadline=20.0, **kwargs):
        super().__init__(client, **kwargs)
        self.breaker = breaker
        self.rng = rng
        self.max_attempts = max_attempts
        self.deadline = deadline

    def call_model(self, messages):
        def send():
            if not self.breaker.allow():
                raise CircuitOpen(f"the circuit for {self.model} is open")
            try:
                response = self.client.post("/chat/completions", json=self.request_body(messages))
            except httpx.TransportError:
                self.breaker.record_failure()
                raise
            if response.is_success:
                self.breaker.record_success()
            else:
                self.breaker.record_failure()
            return response

        response = call_with_retries(
            send, clock=self.clock, rng=self.rng, max_attempts=self.max_attempts, deadline=self.deadline
        )
        response.raise_for_status()
        return response.json()
