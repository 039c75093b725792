# Exercise 3.4 — gathers everything at once: every question in flight together, the provider answers 429.
# expect: calls should run at once
# rule: 3.4/at-most-cap

import asyncio


async def fan_out(questions, ask, *, max_in_flight, timeout):
    async def one(q):
        try:
            return await asyncio.wait_for(ask(q), timeout)
        except Exception as exc:
            return exc

    return list(await asyncio.gather(*(one(q) for q in questions)))
