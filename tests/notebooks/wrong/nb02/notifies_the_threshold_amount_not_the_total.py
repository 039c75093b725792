# Exercise 2.3 — tells notify the threshold's dollar line instead of the total that reached it.
# expect: one request took the total from $0
# rule: 2.3/notify-args


class SpendAlerts(SpendAlerts):
    def __call__(self, spent):
        for threshold in self.thresholds:
            if threshold not in self.fired and spent >= threshold * self.limit:
                self.fired.add(threshold)
                self.notify(threshold, threshold * self.limit)
