# Exercise 4.4 — a correct breaker whose defaults are not the signature's: 3 failures and a 30 s cooldown.
# expect: after 4 failures (the default threshold is 5)
# rule: 4.4/defaults


class CircuitBreaker:
    def __init__(self, *, clock, failure_threshold=3, cooldown=30.0):
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
        if self.clock.now() - self.opened_at >= self.cooldown:
            return "half_open"
        return "open"

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
        if self.probing or self.failures >= self.failure_threshold:
            self.opened_at = self.clock.now()
            self.probing = False
