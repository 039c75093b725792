# Exercise 3.2 — invents a state of its own, "pending": the status page knows queued, running, done and failed.
# expect: 'queued' until a worker takes it
# rule: 3.2/queued-on-submit

from weekfour.labs.latency import Job


def _submit(self, payload):
    job = Job(id=f"job-{next(self._ids)}", payload=payload, state="pending")
    self.jobs[job.id] = job
    self.queue.append(job.id)
    return job.id


JobQueue.submit = _submit
