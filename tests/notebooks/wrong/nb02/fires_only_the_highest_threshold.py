# Exercise 2.3 — an if/elif ladder: a jump from 40% to 90% fires 80% and silently skips 50%.
# expect: each of them fires, lowest first
# rule: 2.3/several-lowest-first


class SpendAlerts(SpendAlerts):
    def __call__(self, spent):
        for threshold in sorted(self.thresholds, reverse=True):
            if spent >= threshold * self.limit:
                if threshold not in self.fired:
                    self.fired.update(t for t in self.thresholds if t <= threshold)
                    self.notify(threshold, spent)
                return
