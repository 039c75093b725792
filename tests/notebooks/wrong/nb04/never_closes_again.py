# Exercise 4.4 — opens after the threshold and stays open forever: no half-open probe, the primary is never used again.
# expect: the breaker's state should be 'half_open'
# rule: 4.4/half-open-at-cooldown


class CircuitBreaker:
    def __init__(self, *, clock, failure_threshold=5, cooldown=60.0):
        self.clock = clock
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.failures = 0

    @property
    def state(self):
        return "open" if self.failures >= self.failure_threshold else "closed"

    def allow(self):
        return self.state == "closed"

    def record_success(self):
        if self.state == "closed":
            self.failures = 0

    def record_failure(self):
        self.failures += 1
