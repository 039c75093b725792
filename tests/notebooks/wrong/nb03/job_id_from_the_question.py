# Exercise 3.2 — the job id is a hash of the question: two visitors asking the same thing share one job.
# expect: new string id for every job
# rule: 3.2/unique-ids

from weekfour.labs.latency import Job


def _submit(self, payload):
    job = Job(id=f"job-{abs(hash(payload))}", payload=payload)
    self.jobs[job.id] = job
    self.queue.append(job.id)
    return job.id


JobQueue.submit = _submit
