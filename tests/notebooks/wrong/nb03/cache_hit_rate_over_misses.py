# Exercise 3.5 — hit rate as hits / misses (a ratio, not a rate), and a ZeroDivisionError before the first lookup.
# expect: hit_rate is hits / (hits + misses)
# rule: 3.5/hit-rate
AnswerCache.hit_rate = property(lambda self: self.hits / self.misses if self.misses else 1.0)
