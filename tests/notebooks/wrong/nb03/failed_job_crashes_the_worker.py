# Exercise 3.2 — no try/except around the work: one 503 kills the worker and the job stays "running" forever.
# expect: got:      RuntimeError
# rule: 3.2/failed-with-error


async def _run_one(self):
    if not self.queue:
        return False
    job = self.jobs[self.queue.popleft()]
    job.state = "running"
    job.attempts += 1
    job.result = await self.work(job.payload)
    job.state = "done"
    return True


JobQueue.run_one = _run_one
