# Exercise 3.5 — no ttl: "your order is processing" is served a week after it shipped.
# expect: is stale
# rule: 3.5/stale-at-ttl


async def _ask(self, question):
    key = " ".join(question.split()).casefold()
    if key in self.entries:
        self.hits += 1
        return self.entries[key][1]
    self.misses += 1
    answer = await self.ask_model(question)
    self.entries[key] = (self.clock.now(), answer)
    return answer


AnswerCache.ask = _ask
