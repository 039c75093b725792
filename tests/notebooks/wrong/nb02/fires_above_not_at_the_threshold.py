# Exercise 2.3 — compares with > instead of >=: landing exactly on 50% fires nothing.
# expect: 'Reaches' includes exactly equal
# rule: 2.3/fires-at-threshold


class SpendAlerts(SpendAlerts):
    def __call__(self, spent):
        for threshold in self.thresholds:
            if threshold not in self.fired and spent > threshold * self.limit:
                self.fired.add(threshold)
                self.notify(threshold, spent)
