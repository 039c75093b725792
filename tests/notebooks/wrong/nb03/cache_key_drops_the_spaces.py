# Exercise 3.5 — removes whitespace instead of collapsing it: "order A10 42" gets the answer about order A1042.
# expect: must not share a cache entry
# rule: 3.5/distinct-questions-apart


async def _ask(self, question):
    key = "".join(question.split()).casefold()
    entry = self.entries.get(key)
    if entry is not None and self.clock.now() - entry[0] < self.ttl:
        self.hits += 1
        return entry[1]
    self.misses += 1
    answer = await self.ask_model(question)
    self.entries[key] = (self.clock.now(), answer)
    return answer


AnswerCache.ask = _ask
