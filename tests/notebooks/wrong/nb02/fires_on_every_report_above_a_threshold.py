# Exercise 2.3 — no memory of what already fired: every request after 50% pages someone again.
# expect: Remember which thresholds already fired
# rule: 2.3/once-ever


class SpendAlerts(SpendAlerts):
    def __call__(self, spent):
        for threshold in self.thresholds:
            if spent >= threshold * self.limit:
                self.notify(threshold, spent)
