# Exercise 3.4 — asyncio.wait with a timeout, then moves on: the hung call keeps running (and billing) meanwhile.
# expect: should be cancelled, not left running
# rule: 3.4/timeout-cancels

import asyncio


async def fan_out(questions, ask, *, max_in_flight, timeout):
    slots = asyncio.Semaphore(max_in_flight)
    stragglers = []

    async def one(question):
        async with slots:
            task = asyncio.ensure_future(ask(question))
            done, _ = await asyncio.wait({task}, timeout=timeout)
            if not done:
                stragglers.append(task)
                return TimeoutError(f"{question!r} took longer than {timeout} s")
            try:
                return task.result()
            except Exception as exc:
                return exc

    results = list(await asyncio.gather(*(one(q) for q in questions)))
    await asyncio.sleep(0)
    return results
