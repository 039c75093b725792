# Exercise 3.2 — submit runs the job right away "while nobody else waits": the page waits for the model again.
# expect: submit ran the work
# rule: 3.2/submit-returns-at-once

import asyncio

from weekfour.labs.latency import Job


def _submit(self, payload):
    job = Job(id=f"job-{next(self._ids)}", payload=payload)
    self.jobs[job.id] = job
    self.queue.append(job.id)
    asyncio.run(self.run_one())
    return job.id


JobQueue.submit = _submit
