# Exercise 3.5 — setdefault stores an answer only once: after the first ttl every visitor asks the model again.
# expect: the stale entry is replaced
# rule: 3.5/miss-stores


async def _ask(self, question):
    key = " ".join(question.split()).casefold()
    entry = self.entries.get(key)
    if entry is not None and self.clock.now() - entry[0] < self.ttl:
        self.hits += 1
        return entry[1]
    self.misses += 1
    answer = await self.ask_model(question)
    self.entries.setdefault(key, (self.clock.now(), answer))
    return answer


AnswerCache.ask = _ask
