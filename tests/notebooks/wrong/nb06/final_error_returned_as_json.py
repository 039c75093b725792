# Exercise 6.6 — returns the error body of the last attempt as if it were an answer.
# expect: should raise
# rule: 6.6/final-failure-raises
class HardenedAgent(HardenedAgent):
    def call_model(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
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

        response = call_with_retries(
            send, clock=self.clock, rng=self.rng, max_attempts=self.max_attempts, deadline=self.deadline
        )
        return response.json()
