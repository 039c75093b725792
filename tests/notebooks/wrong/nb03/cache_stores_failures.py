# Exercise 3.5 — caches whatever came back, errors included: the outage's error is served for the whole ttl.
# expect: the caller should get the exception
# rule: 3.5/never-cache-failure


async def _ask(self, question):
    key = " ".join(question.split()).casefold()
    entry = self.entries.get(key)
    if entry is not None and self.clock.now() - entry[0] < self.ttl:
        self.hits += 1
        return entry[1]
    self.misses += 1
    try:
        answer = await self.ask_model(question)
    except Exception as exc:
        answer = exc
    self.entries[key] = (self.clock.now(), answer)
    return answer


AnswerCache.ask = _ask
