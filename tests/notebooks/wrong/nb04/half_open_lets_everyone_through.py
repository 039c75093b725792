# Exercise 4.4 — after the cooldown every caller is let through at once: the whole queue lands on a recovering provider.
# expect: While the probe is out
# rule: 4.4/one-probe


class CircuitBreaker:
    def __init__(self, *, clock, failure_threshold=5, cooldown=60.0):
        self.clock = clock
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at = None

    @property
    def state(self):
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock.now() - self.opened_at >= self.cooldown else "open"

    def allow(self):
        return self.state != "open"

    def record_success(self):
        self.failures = 0
        self.opened_at = None

    def record_failure(self):
        self.failures += 1
        if self.state == "half_open" or self.failures >= self.failure_threshold:
            self.opened_at = self.clock.now()
