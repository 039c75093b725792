# Exercise 3.5 — stamps the entry with the time of the request: a slow answer is born already old.
# expect: counts from when the answer came back
# rule: 3.5/stored-when-answered


async def _ask(self, question):
    key = " ".join(question.split()).casefold()
    entry = self.entries.get(key)
    if entry is not None and self.clock.now() - entry[0] < self.ttl:
        self.hits += 1
        return entry[1]
    self.misses += 1
    asked_at = self.clock.now()
    answer = await self.ask_model(question)
    self.entries[key] = (asked_at, answer)
    return answer


AnswerCache.ask = _ask
