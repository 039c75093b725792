# Exercise 4.5 — records only 5xx and transport errors as failures: to the breaker a 429 storm looks healthy.
# expect: transient failures, then a 200
# rule: 4.5/failures-recorded


import httpx


class GuardedAgent(SupportAgent):
    """The day-three agent with every request behind a circuit breaker and your retry loop."""

    def __init__(self, client, *, breaker, rng, max_attempts: int = 3, deadline: float = 20.0, **kwargs) -> None:
        super().__init__(client, **kwargs)
        self.breaker = breaker
        self.rng = rng
        self.max_attempts = max_attempts
        self.deadline = deadline

    def call_model(self, messages: list[dict]) -> dict:
        def send() -> httpx.Response:
            if not self.breaker.allow():
                raise CircuitOpen(f"the circuit for {self.model} is open: not sending")
            try:
                response = self.client.post("/chat/completions", json=self.request_body(messages))
            except httpx.TransportError:
                self.breaker.record_failure()
                raise
            if response.status_code >= 500:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()
            return response

        response = call_with_retries(
            send, clock=self.clock, rng=self.rng, max_attempts=self.max_attempts, deadline=self.deadline
        )
        response.raise_for_status()
        return response.json()
