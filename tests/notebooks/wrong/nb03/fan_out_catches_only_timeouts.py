# Exercise 3.4 — catches TimeoutError only: one order that does not exist aborts the whole night's backlog.
# expect: got:      ValueError
# rule: 3.4/errors-in-slot

import asyncio


async def fan_out(questions, ask, *, max_in_flight, timeout):
    slots = asyncio.Semaphore(max_in_flight)

    async def one(question):
        async with slots:
            try:
                async with asyncio.timeout(timeout):
                    return await ask(question)
            except TimeoutError as exc:
                return exc

    return list(await asyncio.gather(*(one(q) for q in questions)))
