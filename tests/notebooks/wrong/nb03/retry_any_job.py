# Exercise 3.2 — retry requeues whatever it is given: a done job runs (and bills) again, a queued one runs twice.
# expect: should raise ValueError: it would run (and bill) the job twice
# rule: 3.2/retry-only-failed


def _retry(self, job_id):
    job = self.jobs[job_id]
    job.state = "queued"
    self.queue.append(job_id)


JobQueue.retry = _retry
