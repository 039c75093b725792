# Exercise 3.4 — one timeout around the whole gather: one slow call throws away every answer.
# expect: got:      TimeoutError
# rule: 3.4/timeout-per-call

import asyncio


async def fan_out(questions, ask, *, max_in_flight, timeout):
    slots = asyncio.Semaphore(max_in_flight)

    async def one(q):
        async with slots:
            return await ask(q)

    async with asyncio.timeout(timeout):
        return list(await asyncio.gather(*(one(q) for q in questions), return_exceptions=True))
