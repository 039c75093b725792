# Exercise 3.2 — counts the attempt once the work is over and never says "running": a poll shows "queued" meanwhile.
# expect: should be 'running' with this attempt counted
# rule: 3.2/running-and-counted


async def _run_one(self):
    if not self.queue:
        return False
    job = self.jobs[self.queue.popleft()]
    try:
        job.result = await self.work(job.payload)
    except Exception as exc:
        job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
    else:
        job.state, job.error = "done", None
    job.attempts += 1
    return True


JobQueue.run_one = _run_one
