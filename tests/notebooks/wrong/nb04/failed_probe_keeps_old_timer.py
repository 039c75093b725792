# Exercise 4.4 — a failed probe reopens the breaker but keeps the old opening time, so it is half-open again at once.
# expect: Right after the probe failed
# rule: 4.4/probe-failure-reopens


class CircuitBreaker:
    def __init__(self, *, clock, failure_threshold=5, cooldown=60.0):
        self.clock = clock
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at = None
        self.probing = False

    @property
    def state(self):
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock.now() - self.opened_at >= self.cooldown else "open"

    def allow(self):
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.probing:
            self.probing = True
            return True
        return False

    def record_success(self):
        self.failures = 0
        self.opened_at = None
        self.probing = False

    def record_failure(self):
        self.failures += 1
        self.probing = False
        if self.opened_at is None and self.failures >= self.failure_threshold:
            self.opened_at = self.clock.now()
