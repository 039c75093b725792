# Exercise 2.3: compares with > instead of >=: landing exactly on 50% fires nothing.
# ruff: noqa: F821  (the names come from the solution notebook this file is overlaid on)
class SpendAlerts(SpendAlerts):
    def __call__(self, spent):
        for threshold in self.thresholds:
            if threshold not in self.fired and spent > threshold * self.limit:
                self.fired.add(threshold)
                self.notify(threshold, spent)
