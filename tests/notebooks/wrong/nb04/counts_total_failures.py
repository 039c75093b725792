# Exercise 4.4 — counts every failure ever, not consecutive ones: a healthy provider with rare blips gets cut off.
# expect: only consecutive failures count
# rule: 4.4/success-resets


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
        self.opened_at = None
        self.probing = False

    def record_failure(self):
        self.failures += 1
        if self.probing or self.failures >= self.failure_threshold:
            self.opened_at = self.clock.now()
            self.probing = False
