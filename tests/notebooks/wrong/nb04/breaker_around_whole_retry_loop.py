# Exercise 4.5 — asks the breaker once per call and then runs the whole retry loop: every probe is a burst of retries.
# expect: the dead primary received
# rule: 4.5/breaker-every-attempt

import httpx


class GuardedAgent(SupportAgent):
    def __init__(self, client, *, breaker, rng, max_attempts=3, deadline=20.0, **kwargs):
        super().__init__(client, **kwargs)
        self.breaker = breaker
        self.rng = rng
        self.max_attempts = max_attempts
        self.deadline = deadline

    def call_model(self, messages):
        if not self.breaker.allow():
            raise CircuitOpen(f"the circuit for {self.model} is open")

        def send():
            return self.client.post("/chat/completions", json=self.request_body(messages))

        try:
            response = call_with_retries(
                send, clock=self.clock, rng=self.rng, max_attempts=self.max_attempts, deadline=self.deadline
            )
        except httpx.TransportError:
            self.breaker.record_failure()
            raise
        if response.status_code == 429 or response.status_code >= 500:
            self.breaker.record_failure()
        else:
            self.breaker.record_success()
        response.raise_for_status()
        return response.json()
