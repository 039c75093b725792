# Exercise 3.4 — creates the Semaphore inside each call: every call has a cap of its own, so there is no cap.
# expect: calls should run at once
# rule: 3.4/at-most-cap

import asyncio


async def fan_out(questions, ask, *, max_in_flight, timeout):
    async def one(q):
        async with asyncio.Semaphore(max_in_flight):
            try:
                return await asyncio.wait_for(ask(q), timeout)
            except Exception as exc:
                return exc

    return list(await asyncio.gather(*(one(q) for q in questions)))
