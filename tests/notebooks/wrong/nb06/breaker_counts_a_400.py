# Exercise 6.6 — counts every error status as the provider failing, a 400 included: bad requests open the circuit.
# expect: breaker's log
# rule: 6.6/breaker-outcomes
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
            if response.status_code >= 400:
                self.breaker.record_failure()
            else:
                self.breaker.record_success()
            return response

        response = call_with_retries(
            send, clock=self.clock, rng=self.rng, max_attempts=self.max_attempts, deadline=self.deadline
        )
        response.raise_for_status()
        return response.json()
