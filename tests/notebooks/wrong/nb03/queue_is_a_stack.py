# Exercise 3.2 — takes the newest job first (deque.pop): the first visitors wait for everyone after them.
# expect: oldest queued job first
# rule: 3.2/oldest-first


async def _run_one(self):
    if not self.queue:
        return False
    job = self.jobs[self.queue.pop()]
    job.state = "running"
    job.attempts += 1
    try:
        job.result = await self.work(job.payload)
    except Exception as exc:
        job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
    else:
        job.state = "done"
    return True


JobQueue.run_one = _run_one
