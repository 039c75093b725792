# Exercise 3.5 — the freshness test is the wrong way round: fresh answers are re-asked, stale ones served.
# expect: should be answered from the cache
# rule: 3.5/hit-when-fresh


async def _ask(self, question):
    key = " ".join(question.split()).casefold()
    entry = self.entries.get(key)
    if entry is not None and self.clock.now() - entry[0] > self.ttl:
        self.hits += 1
        return entry[1]
    self.misses += 1
    answer = await self.ask_model(question)
    self.entries[key] = (self.clock.now(), answer)
    return answer


AnswerCache.ask = _ask
