# Exercise 3.4 — a for loop with await: correct answers, one call at a time, the backlog takes all night.
# expect: calls should run at once
# rule: 3.4/uses-the-cap

import asyncio


async def fan_out(questions, ask, *, max_in_flight, timeout):
    results = []
    for q in questions:
        try:
            results.append(await asyncio.wait_for(ask(q), timeout))
        except Exception as exc:
            results.append(exc)
    return results
