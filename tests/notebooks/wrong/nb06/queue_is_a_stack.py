# Exercise 6.3 — the job queue takes the newest job first: the first customers wait for everyone after them.
# expect: notebook 03
# rule: 6.3/same-as-03
async def _newest_first(self):
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
        job.state, job.error = "done", None
    return True


JobQueue.run_one = _newest_first
