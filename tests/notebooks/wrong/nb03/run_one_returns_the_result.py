# Exercise 3.2 — run_one returns the work's result instead of True: a failed job (None) stops the worker's loop.
# expect: run_one should return True when it ran a job
# rule: 3.2/done-with-result


async def _run_one(self):
    if not self.queue:
        return False
    job = self.jobs[self.queue.popleft()]
    job.state = "running"
    job.attempts += 1
    try:
        job.result = await self.work(job.payload)
    except Exception as exc:
        job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
    else:
        job.state, job.error = "done", None
    return job.result


JobQueue.run_one = _run_one
