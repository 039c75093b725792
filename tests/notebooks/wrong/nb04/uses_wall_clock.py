# Exercise 4.4 — times the cooldown with time.monotonic(): on the simulated clock (and in tests) it never ends.
# expect: the breaker's state should be 'half_open'
# rule: 4.4/half-open-at-cooldown

import time


class CircuitBreaker:
    def __init__(self, *, clock, failure_threshold=5, cooldown=60.0):
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at = None
        self.probing = False

    @property
    def state(self):
        if self.opened_at is None:
            return "closed"
        return "half_open" if time.monotonic() - self.opened_at >= self.cooldown else "open"

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
            self.opened_at = time.monotonic()
            self.probing = False
