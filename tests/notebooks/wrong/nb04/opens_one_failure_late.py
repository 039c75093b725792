# Exercise 4.4 — `failures > failure_threshold`: off by one, one more request hits a dead provider before it opens.
# expect: consecutive failures, the breaker's state should be 'open'
# rule: 4.4/opens-at-threshold


class CircuitBreaker:
    """closed -> (threshold consecutive failures) -> open -> (cooldown) -> half_open -> one probe -> closed/open."""

    def __init__(self, *, clock, failure_threshold: int = 5, cooldown: float = 60.0) -> None:
        self.clock = clock
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if self.clock.now() - self.opened_at >= self.cooldown:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.probing:
            self.probing = True
            return True
        return False

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self.probing = False

    def record_failure(self) -> None:
        self.failures += 1
        if self.probing or self.failures > self.failure_threshold:
            self.opened_at = self.clock.now()
            self.probing = False
