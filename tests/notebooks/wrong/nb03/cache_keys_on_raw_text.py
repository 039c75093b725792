# Exercise 3.5 — the raw question is the key: "What is..." and "what is... " are two entries.
# expect: Normalise the key
# rule: 3.5/normalised-key


async def _ask(self, question):
    entry = self.entries.get(question)
    if entry is not None and self.clock.now() - entry[0] < self.ttl:
        self.hits += 1
        return entry[1]
    self.misses += 1
    answer = await self.ask_model(question)
    self.entries[question] = (self.clock.now(), answer)
    return answer


AnswerCache.ask = _ask
