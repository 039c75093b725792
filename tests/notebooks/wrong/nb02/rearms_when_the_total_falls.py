# Exercise 2.3 — forgets a threshold once the total is below it again: after midnight every alert pages twice.
# expect: nothing should fire again
# rule: 2.3/once-ever


class SpendAlerts(SpendAlerts):
    def __call__(self, spent):
        for threshold in self.thresholds:
            if spent < threshold * self.limit:
                self.fired.discard(threshold)  # "re-arm" below the line
            elif threshold not in self.fired:
                self.fired.add(threshold)
                self.notify(threshold, spent)
