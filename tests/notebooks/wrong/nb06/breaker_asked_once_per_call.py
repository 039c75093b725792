# Exercise 6.6 — asks the breaker once per model call, then retries past it: an open circuit does not stop the retries.
# expect: breaker's log
# rule: 6.6/breaker-every-attempt
class HardenedAgent(HardenedAgent):
    def call_model(self, messages):
        if not self.breaker.allow():
            raise CircuitOpen(f"the circuit for {self.model} is open: not sending")

        def send():
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
