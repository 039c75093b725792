# Exercise 3.5 — hit rate as hits / misses (a ratio, not a rate), and a ZeroDivisionError before the first lookup.
# expect: hit_rate is hits / (hits + misses)
# Overlays the solution notebook's namespace: the learner's other names come from there.
# ruff: noqa: F821
AnswerCache.hit_rate = property(lambda self: self.hits / self.misses if self.misses else 1.0)
