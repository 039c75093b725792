# Exercise 3.5 — counts a miss only once the model answered: lookups that failed in the outage vanish from the rate.
# expect: hits 0, misses 2
# rule: 3.5/counts-hits-misses


async def _ask(self, question):
    key = " ".join(question.split()).casefold()
    entry = self.entries.get(key)
    if entry is not None and self.clock.now() - entry[0] < self.ttl:
        self.hits += 1
        return entry[1]
    answer = await self.ask_model(question)
    self.misses += 1
    self.entries[key] = (self.clock.now(), answer)
    return answer


AnswerCache.ask = _ask
