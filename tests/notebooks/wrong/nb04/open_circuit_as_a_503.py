# Exercise 4.5 — when the breaker refuses, send() fakes a 503 instead of raising CircuitOpen: the loop keeps asking.
# expect: A 503, then the breaker refuses the retry
# rule: 4.5/circuit-open-raised


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
                return httpx.Response(503, json={"error": {"message": "circuit open", "code": "circuit_open"}})
            try:
                response = self.client.post("/chat/completions", json=self.request_body(messages))
            except httpx.TransportError:
                self.breaker.record_failure()
                raise
            if response.status_code == 429 or response.status_code >= 500:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()
            return response

        response = call_with_retries(
            send, clock=self.clock, rng=self.rng, max_attempts=self.max_attempts, deadline=self.deadline
        )
        response.raise_for_status()
        return response.json()
