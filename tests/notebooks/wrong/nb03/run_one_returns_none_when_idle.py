# Exercise 3.2 — a bare return when the line is empty: None, not False, and `while await run_one()` still works.
# expect: should return False when no job is queued
# rule: 3.2/false-when-empty


async def _run_one(self):
    if not self.queue:
        return
    job = self.jobs[self.queue.popleft()]
    job.state = "running"
    job.attempts += 1
    try:
        job.result = await self.work(job.payload)
    except Exception as exc:
        job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
    else:
        job.state, job.error = "done", None
    return True


JobQueue.run_one = _run_one
