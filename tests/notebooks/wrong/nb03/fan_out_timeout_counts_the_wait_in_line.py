# Exercise 3.4 — the timeout wraps the wait for a slot too: calls that queued behind others time out for nothing.
# expect: calls of 1.0 s that waited in line for a slot should not
# rule: 3.4/timeout-after-slot

import asyncio


async def fan_out(questions, ask, *, max_in_flight, timeout):
    slots = asyncio.Semaphore(max_in_flight)

    async def limited(q):
        async with slots:
            return await ask(q)

    async def one(q):
        try:
            return await asyncio.wait_for(limited(q), timeout)
        except Exception as exc:
            return exc

    return list(await asyncio.gather(*(one(q) for q in questions)))
