# Exercise 3.4 — collects results with asyncio.as_completed: the fastest answers come first, under the wrong question.
# expect: in the order of the questions, not in the order they finished
# rule: 3.4/keeps-order

import asyncio


async def fan_out(questions, ask, *, max_in_flight, timeout):
    slots = asyncio.Semaphore(max_in_flight)

    async def one(question):
        async with slots:
            try:
                async with asyncio.timeout(timeout):
                    return await ask(question)
            except Exception as exc:
                return exc

    return [await result for result in asyncio.as_completed([one(q) for q in questions])]
