# Exercise 4.5 — calls call_with_retries without the agent's settings: 4 attempts and 30 s, always.
# expect: self.max_attempts
# rule: 4.5/retries-with-own-settings


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
            if response.status_code == 429 or response.status_code >= 500:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()
            return response

        response = call_with_retries(send, clock=self.clock, rng=self.rng)
        response.raise_for_status()
        return response.json()
