# Exercise 3.2 — peeks at the head of the line, awaits the work, and only then removes it: two workers run one job.
# expect: every job should run exactly once
# rule: 3.2/one-worker-per-job


async def _run_one(self):
    if not self.queue:
        return False
    job = self.jobs[self.queue[0]]
    job.state = "running"
    job.attempts += 1
    try:
        job.result = await self.work(job.payload)
    except Exception as exc:
        job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
    else:
        job.state = "done"
    if job.id in self.queue:
        self.queue.remove(job.id)
    return True


JobQueue.run_one = _run_one
