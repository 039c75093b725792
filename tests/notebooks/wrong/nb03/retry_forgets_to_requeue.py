# Exercise 3.2 — retry flips the state back to "queued" but never puts the id back in line: the job is lost.
# expect: After retry, the next run_one should run the job again
# rule: 3.2/retry-requeues


def _retry(self, job_id):
    job = self.jobs[job_id]
    if job.state != "failed":
        raise ValueError("only failed jobs can be retried")
    job.state = "queued"


JobQueue.retry = _retry
