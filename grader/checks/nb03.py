"""Checks of notebook 03 (latency on the hot path): percentiles, a job pipeline, streaming, fan-out, a cache.

Every check builds its own scenario from ``ns.rng`` (durations, limits, latencies, questions), runs the learner's code
on a :class:`~weekfour.clock.SimClock` (async code on its virtual-time loop), and compares with what the contract in
the notebook says. Nothing sleeps for real.

Each rule an exercise states is listed in :data:`RULES` and held by a **public** check, with its deciding case always
present (both sides of each boundary, every member of each named set); random values only defeat hard-coding. The
hidden checks replay the same rules on scenarios a learner has not seen.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks._helpers import must_not_raise, must_raise, number_near

__all__ = [
    "RULES",
    "caps_in_flight_and_keeps_order",
    "errors_stay_in_their_slot",
    "expires_and_never_caches_failures",
    "failed_jobs_are_kept_and_retried",
    "hits_on_the_same_question",
    "percentile_interpolates_linearly",
    "reads_the_event_stream_as_sent",
    "streams_tokens_as_they_arrive",
    "submit_returns_at_once_and_runs_oldest_first",
    "summary_leaves_errors_out_of_latency",
    "timeout_per_call_not_per_wait",
    "two_workers_never_share_a_job",
]

RULES = {
    # 3.1
    "3.1/linear-interpolation": "percentile interpolates linearly between closest ranks: rank p/100 * (n - 1)",
    "3.1/no-sort-in-place": "percentile does not sort (or change) the caller's list",
    "3.1/p-ends-allowed": "p = 0 and p = 100 are valid (the min and the max); so is every p in between",
    "3.1/empty-raises": "percentile of an empty sequence raises ValueError",
    "3.1/p-outside-raises": "a p below 0 or above 100 raises ValueError",
    "3.1/summary-keys": "latency_summary returns requests, errors, p50, p95 and p99",
    "3.1/summary-counts-requests": "requests counts every entry of the log",
    "3.1/summary-errors-not-ok": "errors counts every entry that is not OK: 429s, 503s and timeouts",
    "3.1/summary-ok-latency-only": "the percentiles are over the latency of the successful entries only",
    "3.1/summary-any-iterable": "the log is any iterable of entries (read once: a generator works)",
    # 3.2
    "3.2/submit-returns-at-once": "submit does not run the work: it returns at once",
    "3.2/unique-ids": "submit returns a new unique id for every job, even for the same question twice",
    "3.2/queued-on-submit": "a submitted job is kept in jobs, state 'queued', and status(id) returns it",
    "3.2/oldest-first": "run_one takes the oldest queued job",
    "3.2/false-when-empty": "run_one returns False when no job is queued",
    "3.2/running-and-counted": "while its work runs, a job is 'running' and its attempt is counted",
    "3.2/done-with-result": "a job whose work returned is 'done' with the result, and run_one returns True",
    "3.2/failed-with-error": "a job whose work raised is 'failed' with 'ExceptionName: message'; run_one returns "
    "True and never raises",
    "3.2/one-worker-per-job": "a job is taken out of line before awaiting: two workers never run the same job",
    "3.2/retry-requeues": "retry puts a failed job back in line, state 'queued', and a worker runs it again",
    "3.2/retry-only-failed": "retry of a job that is queued, running or done raises ValueError",
    # 3.3
    "3.3/streamed-request": "one POST to /chat/completions with model wf-chat, the messages and stream: true",
    "3.3/reads-as-it-arrives": "the response is read as it arrives, each piece passed to on_token at once",
    "3.3/skips-blank-lines-and-done": "blank lines are skipped and data: [DONE] (not JSON) ends the stream",
    "3.3/no-choices-chunk": "a chunk with no choices carries no text",
    "3.3/non-empty-pieces": "on_token gets each non-empty piece, and nothing else (the role chunk is no token)",
    "3.3/text-joined": "Streamed.text is every piece joined",
    "3.3/ttft-on-the-clock": "ttft runs on the simulated clock from just before sending to the first piece",
    "3.3/total-on-the-clock": "total runs on the simulated clock from just before sending to the end of the stream",
    "3.3/no-text-nan": "a stream with no text gives text '' and ttft math.nan",
    "3.3/error-raises": "a response that is not 2xx raises httpx.HTTPStatusError",
    # 3.4
    "3.4/at-most-cap": "at most max_in_flight calls run at any moment",
    "3.4/uses-the-cap": "the slots are used: min(max_in_flight, len(questions)) calls run at once",
    "3.4/keeps-order": "one result per question, in the order of the questions (not the order they finish)",
    "3.4/timeout-per-call": "a call longer than timeout gets a TimeoutError instance in its slot; the others answer",
    "3.4/timeout-after-slot": "the timeout counts from when the call starts, not while it waits for a slot",
    "3.4/timeout-cancels": "a timed-out call is cancelled, not left running",
    "3.4/errors-in-slot": "a call that raised puts its exception in its slot and does not abort the others",
    # 3.5
    "3.5/normalised-key": "the key is the question with whitespace collapsed and trimmed, case folded",
    "3.5/distinct-questions-apart": "different questions are different entries (whitespace collapsed, not removed)",
    "3.5/hit-when-fresh": "an entry younger than ttl is returned without calling the model",
    "3.5/stale-at-ttl": "an entry ttl seconds old or older is stale: a miss that calls the model",
    "3.5/stored-when-answered": "an entry's age counts from when the model's answer came back",
    "3.5/miss-stores": "every miss stores its answer (a stale entry is replaced)",
    "3.5/never-cache-failure": "a failed model call raises to the caller and stores nothing",
    "3.5/counts-hits-misses": "hits and misses count the lookups (a failed model call is a miss)",
    "3.5/hit-rate": "hit_rate is hits / (hits + misses), 0.0 before any lookup",
}

_EPS = 1e-6
_QUESTIONS = (
    "What is your return policy?",
    "Can I cancel an order?",
    "How long does shipping take?",
    "Is there a warranty on shoes?",
    "Can I get a refund on a gift card?",
)


def _linear(values: list[float], p: float) -> float:
    import pandas as pd

    return float(pd.Series(values, dtype=float).quantile(p / 100))


def _label(value: Any) -> Any:
    return type(value).__name__ if isinstance(value, BaseException) else value


# -- 3.1 ----------------------------------------------------------------------------------------------------------
def _percentile_matches(percentile: Callable[..., Any], values: list[float], ps: list[float]) -> None:
    original = list(values)
    for p in ps:
        try:
            got = percentile(values, p)
        except ValueError as exc:
            raise CheckFailed(
                f"percentile(values, {p}) raised ValueError ({exc}), but p={p} is inside 0..100.",
                expected=round(_linear(original, p), 6),
                got="ValueError",
                hint="0 and 100 are valid (the min and the max), and so is every p between them, whole or not.",
            ) from exc
        if values != original:
            raise CheckFailed(
                "percentile sorted (or changed) the caller's list in place.",
                expected=original[:6],
                got=values[:6],
                hint="Work on a sorted copy: the caller's request log must keep its order.",
            )
        want = _linear(original, p)
        if not number_near(got, want, 1e-9):
            ends: dict[float, str] = {0: " (p=0 is the smallest value)", 100: " (p=100 is the largest value)"}
            where = ends.get(p, "")
            raise CheckFailed(
                f"percentile(values, {p}) is not the linear-interpolation percentile ({len(values)} values){where}.",
                expected=round(want, 6),
                got=got,
                hint="Sort a copy, take rank = p/100 * (n - 1), and interpolate between the values at the "
                "floor and the ceiling of that rank. 0 and 100 are valid: the min and the max.",
            )


def _percentile_refuses(percentile: Callable[..., Any], values: list[float]) -> None:
    for bad_values, bad_p, why in (
        ([], 50, "an empty sequence"),
        ((), 95, "an empty sequence"),
        (values, -1, "p below 0"),
        (values, -0.5, "p below 0"),
        (values, 100.5, "p above 100"),
        (values, 101, "p above 100"),
    ):
        must_raise(
            functools.partial(percentile, bad_values, bad_p),
            ValueError,
            f"percentile({bad_values if not bad_values else 'values'}, {bad_p}) should raise ValueError ({why}).",
            hint="An empty log or a p outside 0..100 is a mistake of the caller: say so with a ValueError, at "
            "0 and 100 themselves nothing is wrong.",
        )


@exercise(
    "3.1",
    points=2,
    title="Percentiles from the request log",
    rules=[
        "3.1/linear-interpolation",
        "3.1/no-sort-in-place",
        "3.1/p-ends-allowed",
        "3.1/empty-raises",
        "3.1/p-outside-raises",
    ],
)
def percentile_interpolates_linearly(ns: Namespace) -> None:
    percentile = ns.function("percentile")
    rng = ns.rng
    # the hint's case: 5 values, p=95 is 80 % of the way from the 4th to the 5th
    _percentile_matches(percentile, [rng.choice([5.0, 4.0]), 1.0, 3.0, 2.0, 9.0], [95, 50, 0, 100])
    for _ in range(3):
        values = [round(rng.lognormvariate(0.5, 0.8), 3) for _ in range(rng.randint(5, 40))]
        _percentile_matches(percentile, values, [50, 95, 99, 0, 0.5, 99.5, 100, rng.choice([10, 25, 75, 90])])
    single = round(rng.uniform(0, 10), 3)
    _percentile_matches(percentile, [single], [0, 50, 95, 100])
    _percentile_refuses(percentile, [round(rng.uniform(0, 10), 3) for _ in range(rng.randint(3, 9))])


def _entry(i: int, status: int | str, seconds: float) -> Any:
    from weekfour.provider import LogEntry

    return LogEntry(f"req_{i}", 0.0, seconds, seconds, "wf-chat", "wf-chat-2026-01-15", status)


class _OneShot:
    """An iterable that can be read once, as a generator over a log file can: later passes see nothing."""

    def __init__(self, entries: list[Any]) -> None:
        self.entries, self.reads = entries, 0

    def __iter__(self) -> Iterator[Any]:
        self.reads += 1
        return iter(self.entries if self.reads == 1 else ())


def _check_summary(latency_summary: Callable[..., Any], statuses: Sequence[int | str], rng: Any) -> None:
    entries, ok = [], []
    for i, status in enumerate(statuses):
        seconds = rng.uniform(1.0, 9.0) if status == 200 else rng.uniform(0.01, 0.06)
        if status == "timeout":
            seconds = 30.0
        if status == 200:
            ok.append(seconds)
        entries.append(_entry(i, status, seconds))
    log = _OneShot(entries)
    got = latency_summary(log)
    if not isinstance(got, dict):
        raise CheckFailed("latency_summary should return a dict.", expected="dict", got=type(got).__name__)
    n = len(entries)
    want = {"requests": n, "errors": n - len(ok), **{f"p{p}": _linear(ok, p) for p in (50, 95, 99)}}
    missing = [k for k in want if k not in got]
    if missing:
        raise CheckFailed(
            f"latency_summary's result has no key {missing[0]!r}.",
            expected=sorted(want),
            got=sorted(got),
            hint="The keys are requests, errors, p50, p95 and p99.",
        )
    if log.reads > 1 and any(not number_near(got[k], v, 1e-9) for k, v in want.items()):
        raise CheckFailed(
            "latency_summary read the log more than once: given a generator, the second pass saw nothing.",
            expected=want,
            got={k: got[k] for k in want},
            hint="The log may be any iterable (a generator over a log file reads once): go through it one time.",
        )
    kinds = sorted({str(s) for s in statuses if s != 200})
    for key, value in want.items():
        if not number_near(got[key], value, 1e-9):
            hint = {
                "requests": "requests counts every entry of the log, OK or not.",
                "errors": f"Count as errors every entry that is not OK (entry.ok is False); this log has {kinds}.",
            }.get(
                key,
                "Only successful entries (entry.ok) go into the percentiles: a 429 answered in 40 ms is not a "
                "fast answer.",
            )
            raise CheckFailed(
                f"latency_summary(log)[{key!r}] is wrong.", expected=round(value, 6), got=got[key], hint=hint
            )


@exercise(
    "3.1",
    points=2,
    rules=[
        "3.1/summary-keys",
        "3.1/summary-counts-requests",
        "3.1/summary-errors-not-ok",
        "3.1/summary-ok-latency-only",
        "3.1/summary-any-iterable",
    ],
)
def summary_leaves_errors_out_of_latency(ns: Namespace) -> None:
    latency_summary = ns.function("latency_summary")
    rng = ns.rng
    # every kind of error, each on its own, then all together among the successes
    for kind in (429, 503, "timeout"):
        alone: list[int | str] = [200] * rng.randint(4, 9)
        alone += [kind] * rng.randint(1, 3)
        rng.shuffle(alone)
        _check_summary(latency_summary, alone, rng)
    errors: list[int | str] = [429, 503, "timeout"]
    statuses: list[int | str] = [200] * rng.randint(25, 45)
    statuses += errors + [rng.choice(errors)] * 3
    rng.shuffle(statuses)
    _check_summary(latency_summary, statuses, rng)


# -- 3.2 ----------------------------------------------------------------------------------------------------------
class _Work:
    """The job's work, on the simulated clock: records each call and what the queue said about the job meanwhile."""

    def __init__(self, clock: Any, duration: float, *, fail_first: frozenset[str] = frozenset()) -> None:
        self.clock = clock
        self.duration = duration
        self.fail_first = fail_first
        self.calls: list[str] = []
        self.queue: Any = None
        self.running: list[list[tuple[str, Any, Any]]] = []  # per call: (payload, state, attempts) of running jobs
        self.retry_while_running: list[str] = []  # per call: what retry() of the running job did

    async def __call__(self, payload: str) -> str:
        self.calls.append(payload)
        if self.queue is not None:
            jobs = list(getattr(self.queue, "jobs", {}).values())
            running = [j for j in jobs if getattr(j, "state", None) == "running"]
            self.running.append([(j.payload, j.state, j.attempts) for j in running])
            if len(running) == 1 and len(self.calls) == 1:
                try:
                    self.queue.retry(running[0].id)
                except ValueError:
                    self.retry_while_running.append("ValueError")
                else:
                    self.retry_while_running.append("no error")
        await self.clock.asleep(self.duration)
        if payload in self.fail_first and self.calls.count(payload) == 1:
            raise RuntimeError(f"503 overloaded while answering {payload!r}")
        return f"answer to {payload}"


def _run_one(queue: Any, clock: Any) -> Any:
    return must_not_raise(
        lambda: clock.run(queue.run_one()),
        "run_one should never raise",
        hint="A failed job is recorded on the job (state 'failed', error); the worker itself keeps going.",
        lets_through=(NotImplementedError,),
    )


def _ran(value: Any) -> None:
    if value is not True:
        raise CheckFailed(
            "run_one should return True when it ran a job (whether the job succeeded or failed).",
            expected=True,
            got=value,
        )


def _expect_running(work: _Work, payload: str, attempts: int) -> None:
    seen = work.running[-1] if work.running else []
    if seen != [(payload, "running", attempts)]:
        raise CheckFailed(
            "While its work runs, the job should be 'running' with this attempt counted.",
            expected=[(payload, "running", attempts)],
            got=seen,
            hint="Mark the job and count the attempt before you await the work: a page polling status() meanwhile "
            "should see it running.",
        )


def _retry_refused(queue: Any, job_id: str, state: str) -> None:
    try:
        queue.retry(job_id)
    except ValueError:
        return
    raise CheckFailed(
        f"retry of a {state} job should raise ValueError: it would run (and bill) the job twice.",
        expected="ValueError",
        got="no error",
        hint="Only a failed job goes back in line; queued, running and done jobs are refused.",
    )


@exercise(
    "3.2",
    points=2,
    title="A background job pipeline",
    rules=[
        "3.2/submit-returns-at-once",
        "3.2/unique-ids",
        "3.2/queued-on-submit",
        "3.2/oldest-first",
        "3.2/false-when-empty",
        "3.2/running-and-counted",
        "3.2/done-with-result",
        "3.2/retry-only-failed",
    ],
)
def submit_returns_at_once_and_runs_oldest_first(ns: Namespace) -> None:
    from weekfour import SimClock

    JobQueue = ns.function("JobQueue")
    clock = SimClock()
    work = _Work(clock, ns.rng.uniform(1.0, 5.0))
    queue = JobQueue(work)
    work.queue = queue
    payloads = [f"Where is my order A{i}?" for i in ns.rng.sample(range(1000, 1200), ns.rng.randint(3, 6))]
    payloads.append(payloads[0])  # the same question twice is two jobs
    ids = [queue.submit(p) for p in payloads]
    if work.calls or clock.now() != 0.0:
        raise CheckFailed(
            "submit ran the work: the page would wait for the model again.",
            expected="no call to work until a worker runs the job",
            got=f"{len(work.calls)} calls during submit",
            hint="submit only records the job and puts it in line; run_one does the work.",
        )
    if len(set(ids)) != len(ids) or not all(isinstance(i, str) for i in ids):
        raise CheckFailed(
            "submit should return a new string id for every job, even for the same question twice.",
            expected=f"{len(ids)} distinct ids",
            got=ids,
        )
    jobs = [queue.status(i) for i in ids]
    got = [(getattr(j, "id", None), getattr(j, "payload", None), getattr(j, "state", None)) for j in jobs]
    want = [(i, p, "queued") for i, p in zip(ids, payloads, strict=True)]
    if got != want:
        raise CheckFailed(
            "status(id) should return the submitted job, 'queued' until a worker takes it.",
            expected=want[:3],
            got=got[:3],
            hint="Keep every job in self.jobs by its id; a new Job starts queued.",
        )
    _retry_refused(queue, ids[1], "queued")
    for n in range(1, len(ids) + 1):
        _ran(_run_one(queue, clock))
        if work.calls != payloads[:n]:
            raise CheckFailed(
                "Workers should take the oldest queued job first.",
                expected=payloads[:n],
                got=work.calls,
                hint="First in, first out: a stack makes the first visitors wait for everyone after them.",
            )
        _expect_running(work, payloads[n - 1], 1)
    if work.retry_while_running != ["ValueError"]:
        raise CheckFailed(
            "retry of a running job should raise ValueError: it would run (and bill) the job twice.",
            expected=["ValueError"],
            got=work.retry_while_running,
            hint="Only a failed job goes back in line; queued, running and done jobs are refused.",
        )
    empty = _run_one(queue, clock)
    if empty is not False:
        raise CheckFailed("run_one should return False when no job is queued.", expected=False, got=empty)
    for job_id, payload in zip(ids, payloads, strict=True):
        job = queue.status(job_id)
        if (job.state, job.result, job.attempts) != ("done", f"answer to {payload}", 1):
            raise CheckFailed(
                f"Job {job_id} should be done, with the work's result and one attempt.",
                expected=("done", f"answer to {payload}", 1),
                got=(job.state, job.result, job.attempts),
            )
    _retry_refused(queue, ids[0], "done")


@exercise(
    "3.2",
    points=2,
    rules=["3.2/failed-with-error", "3.2/retry-requeues", "3.2/retry-only-failed", "3.2/running-and-counted"],
)
def failed_jobs_are_kept_and_retried(ns: Namespace) -> None:
    from weekfour import SimClock

    JobQueue = ns.function("JobQueue")
    clock = SimClock()
    payloads = [f"Can I return order A{1000 + i}?" for i in ns.rng.sample(range(200), 3)]
    doomed = payloads[ns.rng.randrange(3)]
    work = _Work(clock, 1.0, fail_first=frozenset({doomed}))
    queue = JobQueue(work)
    ids = {p: queue.submit(p) for p in payloads}
    for _ in payloads:
        _ran(_run_one(queue, clock))
    job = queue.status(ids[doomed])
    if getattr(job, "state", None) != "failed":
        raise CheckFailed(
            "A job whose work raised should be kept with state 'failed'.",
            expected="failed",
            got=getattr(job, "state", None),
            hint="Catch the exception around the work and record it on the job.",
        )
    want_error = f"RuntimeError: 503 overloaded while answering {doomed!r}"
    if job.error != want_error:
        raise CheckFailed(
            "A failed job should record why: 'ExceptionName: message'.",
            expected=want_error,
            got=job.error,
        )
    others = [queue.status(ids[p]).state for p in payloads if p != doomed]
    if others != ["done", "done"]:
        raise CheckFailed("One failed job should not stop the others.", expected=["done", "done"], got=others)
    queue.retry(ids[doomed])
    if queue.status(ids[doomed]).state != "queued":
        raise CheckFailed(
            "retry should put the failed job back in line.", expected="queued", got=queue.status(ids[doomed]).state
        )
    work.queue = queue
    ran = _run_one(queue, clock)
    job = queue.status(ids[doomed])
    if ran is not True or (job.state, job.result, job.attempts) != ("done", f"answer to {doomed}", 2):
        raise CheckFailed(
            "After retry, the next run_one should run the job again and finish it.",
            expected=(True, "done", f"answer to {doomed}", 2),
            got=(ran, job.state, job.result, job.attempts),
            hint="retry changes the state and puts the id back where workers take jobs from.",
        )
    _expect_running(work, doomed, 2)
    _retry_refused(queue, ids[doomed], "done")


def _drain(queue: Any, clock: Any, workers: int) -> None:
    async def worker() -> None:
        while await queue.run_one():
            pass

    async def crew() -> None:
        await asyncio.gather(*(worker() for _ in range(workers)))

    must_not_raise(
        lambda: clock.run(crew()),
        f"run_one should never raise, also with {workers} workers running together",
        hint="Take the job out of the line before the first await, and never raise because of a failed job.",
        lets_through=(NotImplementedError,),
    )


def _shared_by_workers(ns: Namespace, workers: int, jobs: int, failing: int) -> None:
    from weekfour import SimClock

    JobQueue = ns.function("JobQueue")
    clock = SimClock()
    duration = ns.rng.uniform(1.0, 4.0)
    payloads = [f"question {i}" for i in ns.rng.sample(range(10_000), jobs)]
    doomed = frozenset(ns.rng.sample(payloads, failing))
    work = _Work(clock, duration, fail_first=doomed)
    queue = JobQueue(work)
    ids = [queue.submit(p) for p in payloads]
    _drain(queue, clock, workers)
    if sorted(work.calls) != sorted(payloads):
        raise CheckFailed(
            f"With {workers} workers, every job should run exactly once.",
            expected=f"{len(payloads)} calls, one per job",
            got=f"{len(work.calls)} calls: {work.calls}",
            hint="Take the job out of the line before the first await, or two workers take the same one.",
        )
    want = math.ceil(len(payloads) / workers) * duration
    if not number_near(clock.now(), want, 1e-3):
        raise CheckFailed(
            f"{workers} workers should run {workers} jobs at a time.",
            expected=f"{want:.2f} simulated s",
            got=f"{clock.now():.2f} s",
        )
    for job_id in ids:
        if queue.status(job_id).payload in doomed:
            queue.retry(job_id)
    _drain(queue, clock, workers)
    states = [(queue.status(i).state, queue.status(i).attempts) for i in ids]
    want_states = [("done", 2 if p in doomed else 1) for p in payloads]
    if states != want_states or len(work.calls) != jobs + failing:
        raise CheckFailed(
            "After the failed jobs were retried, every job should be done, each failed one run once more.",
            expected=want_states,
            got=states,
        )


@exercise("3.2", points=2, rules=["3.2/one-worker-per-job"])
def two_workers_never_share_a_job(ns: Namespace) -> None:
    _shared_by_workers(ns, 2, ns.rng.randint(4, 9), 0)


# -- 3.3 ----------------------------------------------------------------------------------------------------------
def _stream_setup(ns: Namespace, *, jitter: float = 0.0) -> tuple[Any, list[dict[str, Any]], str]:
    from weekfour import LatencyProfile, Scenario, sandbox
    from weekfour.labs.latency import CHAT_PROMPT

    rng = ns.rng
    ttft, per_token = rng.uniform(0.3, 2.5), rng.uniform(0.01, 0.08)
    scenario = Scenario(name="check", latency=LatencyProfile(ttft=ttft, per_output_token=per_token, jitter=jitter))
    seed = rng.randrange(10_000)
    question = f"{rng.choice(_QUESTIONS)} My order is A{rng.randint(1000, 1199)}."
    messages = [{"role": "system", "content": CHAT_PROMPT}, {"role": "user", "content": question}]
    twin = sandbox(scenario, seed=seed)
    body = twin.client(timeout=60).post("/chat/completions", json={"model": "wf-chat", "messages": messages}).json()
    expected = body["choices"][0]["message"]["content"] or ""
    sb = sandbox(scenario, seed=seed)
    sb.clock.sleep(rng.randint(5, 500))  # the page has been up a while: the clock is not at zero
    return sb, messages, expected


def _stream_from_the_provider(ns: Namespace, *, jitter: float) -> None:
    stream_reply = ns.function("stream_reply")
    sb, messages, expected = _stream_setup(ns, jitter=jitter)
    seen: list[tuple[float, str]] = []
    start = sb.clock.now()
    got = stream_reply(
        sb.client(timeout=60), messages, clock=sb.clock, on_token=lambda t: seen.append((sb.clock.now(), t))
    )
    sent = [(e.path.removeprefix("/v1"), e.model, e.stream) for e in sb.log]
    if sent != [("/chat/completions", "wf-chat", True)]:
        raise CheckFailed(
            "stream_reply should make exactly one request: a streamed POST to /chat/completions for wf-chat.",
            expected=[("/chat/completions", "wf-chat", True)],
            got=sent,
            hint='The body is {"model": "wf-chat", "messages": messages, "stream": True}; every extra call costs '
            "the full answer again.",
        )
    entry = sb.log[-1]
    pieces = [t for _, t in seen]
    if any(not isinstance(t, str) or not t for t in pieces):
        raise CheckFailed(
            "on_token should get each non-empty piece of text.",
            got=pieces[:5],
            hint="The first chunk carries an empty content with the role: it is not a token.",
        )
    if "".join(pieces) != expected or getattr(got, "text", None) != expected:
        raise CheckFailed(
            "The streamed pieces (and Streamed.text) should add up to the model's answer.",
            expected=expected,
            got=getattr(got, "text", got),
        )
    first_at = seen[0][0] - start
    if not number_near(first_at, entry.ttft_s or 0.0, 1e-3) or len(pieces) < 2 or seen[-1][0] <= seen[0][0]:
        raise CheckFailed(
            "on_token should be called as each token arrives, the first one at the time to first token.",
            expected=f"first piece at {entry.ttft_s:.3f} s, the rest spread until {entry.latency_s:.3f} s",
            got=f"first piece at {first_at:.3f} s, last at {seen[-1][0] - start:.3f} s",
            hint="Read the response while it streams (client.stream + iter_lines), not after it is complete.",
        )
    for name, want in (("ttft", entry.ttft_s or 0.0), ("total", entry.latency_s)):
        value = getattr(got, name, None)
        if not number_near(value, want, 1e-3):
            raise CheckFailed(
                f"Streamed.{name} should be measured on the simulated clock from just before the request.",
                expected=round(want, 3),
                got=value,
                hint="Use clock.now() before sending, at the first non-empty piece, and at the end of the stream: "
                "durations, not moments.",
            )


@exercise(
    "3.3",
    points=2,
    title="Stream where a person watches",
    rules=[
        "3.3/streamed-request",
        "3.3/reads-as-it-arrives",
        "3.3/non-empty-pieces",
        "3.3/text-joined",
        "3.3/ttft-on-the-clock",
        "3.3/total-on-the-clock",
    ],
)
def streams_tokens_as_they_arrive(ns: Namespace) -> None:
    _stream_from_the_provider(ns, jitter=0.0)


class _Events(httpx.SyncByteStream):
    """Server-sent events, each sent after its delay on the simulated clock."""

    def __init__(self, clock: Any, events: list[tuple[float, bytes]]) -> None:
        self.clock, self.events = clock, events

    def __iter__(self) -> Iterator[bytes]:
        for delay, data in self.events:
            if delay:
                self.clock.sleep(delay)
            yield data


class _Gateway(httpx.BaseTransport):
    """A provider (or a gateway in front of it) that sends exactly the events it is given, after ``wait`` seconds."""

    def __init__(self, clock: Any, wait: float, events: list[tuple[float, bytes]], *, status: int = 200) -> None:
        self.clock, self.wait, self.events, self.status = clock, wait, events, status
        self.requests: list[tuple[str, str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.read() or b"null")
        except ValueError:
            body = None
        self.requests.append((request.method, request.url.path, body))
        self.clock.sleep(self.wait)
        if self.status != 200:
            error = {"error": {"message": "The server is overloaded.", "type": "server_error", "code": None}}
            return httpx.Response(self.status, json=error, request=request)
        headers = {"content-type": "text/event-stream"}
        return httpx.Response(200, headers=headers, stream=_Events(self.clock, self.events), request=request)


def _event(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n".encode()


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    return _event(
        {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    )


def _through_gateway(
    ns: Namespace, gateway: _Gateway, messages: list[dict[str, Any]], *, hint: str = ""
) -> tuple[Any, list[Any]]:
    stream_reply = ns.function("stream_reply")
    client = httpx.Client(base_url="https://gateway.test/v1", transport=gateway)
    seen: list[tuple[float, Any]] = []
    got = must_not_raise(
        lambda: stream_reply(
            client, messages, clock=gateway.clock, on_token=lambda t: seen.append((gateway.clock.now(), t))
        ),
        "stream_reply should not raise on this stream",
        hint=hint,
        lets_through=(NotImplementedError, httpx.HTTPStatusError),
    )
    sent = [(m, p.removeprefix("/v1"), b) for m, p, b in gateway.requests]
    want = [("POST", "/chat/completions", {"model": "wf-chat", "messages": messages, "stream": True})]
    if sent != want:
        raise CheckFailed(
            "stream_reply should send exactly one request: a POST to /chat/completions with the model, the "
            "messages and stream: true.",
            expected=want,
            got=sent,
        )
    return got, seen


@exercise(
    "3.3",
    points=2,
    rules=[
        "3.3/skips-blank-lines-and-done",
        "3.3/no-choices-chunk",
        "3.3/no-text-nan",
        "3.3/error-raises",
        "3.3/reads-as-it-arrives",
        "3.3/ttft-on-the-clock",
        "3.3/total-on-the-clock",
        "3.3/streamed-request",
    ],
)
def reads_the_event_stream_as_sent(ns: Namespace) -> None:
    from weekfour import SimClock

    rng = ns.rng
    clock = SimClock()
    clock.sleep(rng.randint(5, 500))
    messages = [{"role": "user", "content": rng.choice(_QUESTIONS)}]
    words = rng.choice(_QUESTIONS).replace("?", ".").split()
    pieces = [w if i == 0 else f" {w}" for i, w in enumerate(words)]
    wait, first_gap, gap = rng.randint(2, 12) / 4, rng.randint(1, 8) / 8, rng.randint(1, 8) / 32
    # Azure's first chunk carries no choice (its content-filter results), the role chunk carries no text, the last
    # chunks are the finish and the usage (no choice either), then [DONE]
    events = [(0.0, _event({"choices": [], "prompt_filter_results": [{"prompt_index": 0}]}))]
    events.append((0.0, _chunk({"role": "assistant", "content": ""})))
    events += [(first_gap if i == 0 else gap, _chunk({"content": p})) for i, p in enumerate(pieces)]
    events += [(0.0, _chunk({"content": None})), (gap, _chunk({}, "stop"))]
    events += [(0.0, _event({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": len(pieces)}}))]
    events.append((0.0, _event("[DONE]")))
    start = clock.now()
    got, seen = _through_gateway(
        ns,
        _Gateway(clock, wait, events),
        messages,
        hint="Events are separated by blank lines, the stream ends with data: [DONE] (not JSON), and a chunk may "
        'carry no choice at all ("choices": []): it has no text.',
    )
    arrived = [start + wait + first_gap + i * gap for i in range(len(pieces))]
    want_seen = list(zip(arrived, pieces, strict=True))
    if [t for _, t in seen] != pieces or not all(
        number_near(a, b, 1e-9) for (a, _), (b, _) in zip(seen, want_seen, strict=False)
    ):
        raise CheckFailed(
            "on_token should get each piece of text as its event arrives, and nothing else.",
            expected=[(round(t - start, 3), p) for t, p in want_seen][:4],
            got=[(round(t - start, 3) if isinstance(t, float) else t, p) for t, p in seen][:4],
            hint="Blank lines separate events; a chunk may carry no choice at all (choices: []) or no content: "
            "neither is a token.",
        )
    want = ("".join(pieces), wait + first_gap, wait + first_gap + len(pieces) * gap)
    values = (getattr(got, "text", None), getattr(got, "ttft", None), getattr(got, "total", None))
    if values[0] != want[0] or not (number_near(values[1], want[1], 1e-9) and number_near(values[2], want[2], 1e-9)):
        raise CheckFailed(
            "Streamed(text, ttft, total) is wrong for a stream whose events are known to the millisecond.",
            expected=want,
            got=values,
            hint="ttft: from just before sending to the first non-empty piece; total: to the end of the stream "
            "(data: [DONE]), both on the simulated clock.",
        )

    # the answer a content filter stopped: no text at all
    clock.sleep(rng.randint(1, 60))
    quiet = [(0.0, _chunk({"role": "assistant", "content": ""})), (gap, _chunk({}, "content_filter"))]
    quiet.append((0.0, _event("[DONE]")))
    got, seen = _through_gateway(
        ns,
        _Gateway(clock, wait, quiet),
        messages,
        hint="A stream may end without any text (a content filter stopped the answer): there is no first token.",
    )
    text, ttft, total = getattr(got, "text", None), getattr(got, "ttft", None), getattr(got, "total", None)
    if (
        seen
        or text != ""
        or not (isinstance(ttft, float) and math.isnan(ttft))
        or not number_near(total, wait + gap, _EPS)
    ):
        raise CheckFailed(
            "A stream with no text at all (a content filter stopped it) has no first token.",
            expected={"on_token calls": 0, "text": "", "ttft": "nan", "total": wait + gap},
            got={"on_token calls": len(seen), "text": text, "ttft": ttft, "total": total},
            hint="Until a non-empty piece arrives, there is no time to first token: math.nan says so.",
        )

    # an outage: the provider answers 503 instead of a stream
    try:
        got, _ = _through_gateway(
            ns,
            _Gateway(clock, 0.04, [], status=503),
            messages,
            hint="A 503 is an error response: raise httpx.HTTPStatusError for it, as raise_for_status() does.",
        )
    except httpx.HTTPStatusError:
        return
    raise CheckFailed(
        "A 503 instead of a stream should raise httpx.HTTPStatusError: an error is not an empty answer.",
        expected="httpx.HTTPStatusError",
        got=got,
        hint="Check the response's status before you read its events.",
    )


# -- 3.4 ----------------------------------------------------------------------------------------------------------
class _Meter:
    """A fake ``ask`` on the virtual loop that records how many calls run at once."""

    def __init__(self, durations: dict[str, float], *, failing: dict[str, Exception] | None = None) -> None:
        self.durations = durations
        self.failing = failing or {}
        self.in_flight = 0
        self.peak = 0
        self.finished: list[str] = []

    async def __call__(self, question: str) -> str:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.durations[question])
            if question in self.failing:
                raise self.failing[question]
            self.finished.append(question)
            return f"answer:{question}"
        finally:
            self.in_flight -= 1


def _fan_out(
    ns: Namespace, questions: list[str], meter: _Meter, limit: int, timeout: float, *, linger: float = 0.0
) -> tuple[list[Any], float]:
    from weekfour import SimClock

    fan_out = ns.function("fan_out")
    clock = SimClock()

    async def batch() -> tuple[Any, float]:
        results = await fan_out(questions, meter, max_in_flight=limit, timeout=timeout)
        done_at = clock.now()
        await asyncio.sleep(linger)  # a call left running in the background would finish meanwhile
        return results, done_at

    results, done_at = must_not_raise(
        lambda: clock.run(batch()),
        "fan_out should never raise",
        hint="One call failing or timing out should put an exception in its own slot, not abort the batch.",
        lets_through=(NotImplementedError, CheckFailed),
    )
    if not isinstance(results, list) or len(results) != len(questions):
        raise CheckFailed("fan_out should return a list with one result per question.", got=results)
    return results, done_at


def _capped(ns: Namespace, n: int, limit: int, durations: list[float]) -> None:
    questions = [f"q{i}-{ns.rng.randrange(1000)}" for i in range(n)]
    meter = _Meter(dict(zip(questions, durations, strict=True)))
    results, elapsed = _fan_out(ns, questions, meter, limit, timeout=10 * max(durations))
    want = [f"answer:{q}" for q in questions]
    if results != want:
        raise CheckFailed(
            "fan_out should return the answers in the order of the questions, not in the order they finished.",
            expected=want[:4],
            got=[_label(r) for r in results[:4]],
            hint="Keep each result in its question's slot (asyncio.gather keeps the order of what it was given).",
        )
    busy = min(limit, n)
    if meter.peak != busy:
        raise CheckFailed(
            f"With max_in_flight={limit} and {n} questions, exactly {busy} calls should run at once.",
            expected=busy,
            got=meter.peak,
            hint="A cap shared by every call (one Semaphore for the whole batch), and the calls started together.",
        )
    if len(set(durations)) == 1:
        want_s = math.ceil(n / limit) * durations[0]
        if not number_near(elapsed, want_s, 1e-3):
            raise CheckFailed(
                f"{n} calls of {durations[0]} s with {limit} slots should take {want_s:.2f} simulated s.",
                expected=round(want_s, 3),
                got=round(elapsed, 3),
            )


@exercise(
    "3.4",
    points=2,
    title="Fan out with a cap and a timeout",
    rules=["3.4/at-most-cap", "3.4/uses-the-cap", "3.4/keeps-order"],
)
def caps_in_flight_and_keeps_order(ns: Namespace) -> None:
    rng = ns.rng
    n, limit = rng.randint(8, 16), rng.randint(2, 5)
    _capped(ns, n, limit, [round(rng.uniform(0.5, 3.0), 2)] * n)
    _capped(ns, n, 1, [0.5] * n)  # one slot: one at a time, still in order
    # more slots than questions, the first question the slowest: they finish in the reverse order
    few = rng.randint(3, 6)
    _capped(ns, few, few + rng.randint(1, 4), [float(few - i) for i in range(few)])
    # a capped batch whose calls finish out of order
    durations = [rng.choice([0.5, 1.0, 1.5, 2.0, 3.0]) for _ in range(n)]
    durations[0] = 4.0
    _capped(ns, n, limit, durations)


@exercise("3.4", points=1, rules=["3.4/timeout-per-call", "3.4/timeout-after-slot", "3.4/timeout-cancels"])
def timeout_per_call_not_per_wait(ns: Namespace) -> None:
    rng = ns.rng
    d, timeout = 1.0, 1.5
    questions = [f"fast-{i}-{rng.randrange(1000)}" for i in range(rng.randint(5, 8))]
    slow_at = rng.randrange(len(questions))
    questions.insert(slow_at, "slow-one")
    durations = dict.fromkeys(questions, d) | {"slow-one": 3 * timeout}
    meter = _Meter(durations)
    results, _ = _fan_out(ns, questions, meter, 2, timeout, linger=4 * timeout)
    expected = ["TimeoutError" if q == "slow-one" else f"answer:{q}" for q in questions]
    got = [_label(r) for r in results]
    if got != expected:
        raise CheckFailed(
            f"Only the call that runs longer than the timeout ({timeout} s) should time out; calls of {d} s that "
            "waited in line for a slot should not.",
            expected=expected,
            got=got,
            hint="Start the per-call timer once the call has its slot; waiting in line is not the call's fault.",
        )
    if not isinstance(results[slow_at], TimeoutError):
        raise CheckFailed(
            "The slot of a call that timed out should hold a TimeoutError instance.",
            expected="TimeoutError()",
            got=repr(results[slow_at]),
        )
    if "slow-one" in meter.finished or meter.in_flight != 0:
        raise CheckFailed(
            "A timed-out call should be cancelled, not left running in the background.",
            hint="asyncio.timeout and asyncio.wait_for cancel what they wrap.",
        )


def _errors_in_slots(ns: Namespace, n: int, limit: int, errors: int) -> None:
    rng = ns.rng
    questions = [f"q{i}" for i in range(n)]
    bad = rng.sample(questions, errors)
    kinds = [ValueError("no such order"), RuntimeError("503 overloaded"), KeyError("order")]
    failing = {q: kinds[i % len(kinds)] for i, q in enumerate(bad)}
    meter = _Meter(dict.fromkeys(questions, 0.5), failing=failing)
    results, _ = _fan_out(ns, questions, meter, limit, 5.0)
    want = [type(failing[q]).__name__ if q in failing else f"answer:{q}" for q in questions]
    ok = all((r is failing[q]) if q in failing else r == f"answer:{q}" for q, r in zip(questions, results, strict=True))
    if not ok:
        raise CheckFailed(
            "A call that raised should leave its exception in its own slot; the others answer normally.",
            expected=want,
            got=[_label(x) for x in results],
            hint="Catch the call's exception and return it as that question's result.",
        )


@exercise("3.4", points=1, rules=["3.4/errors-in-slot"])
def errors_stay_in_their_slot(ns: Namespace) -> None:
    _errors_in_slots(ns, ns.rng.randint(4, 8), 3, 1)
    _errors_in_slots(ns, 6, 2, 3)


# -- 3.5 ----------------------------------------------------------------------------------------------------------
class _Model:
    """The model behind the cache: answers ``answer #n`` after ``delay`` simulated seconds; may fail once."""

    def __init__(self, clock: Any, *, delay: float = 0.0, fail_once: str | None = None) -> None:
        self.clock = clock
        self.delay = delay
        self.calls: list[str] = []
        self.fail_once = fail_once

    async def __call__(self, question: str) -> str:
        self.calls.append(question)
        if self.delay:
            await self.clock.asleep(self.delay)
        if question == self.fail_once and self.calls.count(question) == 1:
            raise RuntimeError("503 overloaded")
        return f"answer #{len(self.calls)}"


def _cache(ns: Namespace, ttl: float, *, delay: float = 0.0, fail_once: str | None = None) -> tuple[Any, Any, _Model]:
    from weekfour import SimClock

    AnswerCache = ns.function("AnswerCache")
    clock = SimClock()
    clock.sleep(ns.rng.randint(10, 5000))  # the shop has been open a while: the clock is not at zero
    model = _Model(clock, delay=delay, fail_once=fail_once)
    return AnswerCache(model, clock=clock, ttl=ttl), clock, model


def _counts(cache: Any, hits: int, misses: int, why: str) -> None:
    rate = hits / (hits + misses) if hits + misses else 0.0
    got = (getattr(cache, "hits", None), getattr(cache, "misses", None), getattr(cache, "hit_rate", None))
    if got[:2] != (hits, misses) or not number_near(got[2], rate, 1e-9):
        raise CheckFailed(
            f"After {why}: hits {hits}, misses {misses}, hit_rate {rate:.4g}.",
            expected=(hits, misses, round(rate, 4)),
            got=got,
            hint="Every lookup is a hit or a miss (a failed model call too); hit_rate is hits / (hits + misses), "
            "0.0 before any lookup.",
        )


@exercise(
    "3.5",
    points=2,
    title="Cache repeated questions",
    rules=[
        "3.5/normalised-key",
        "3.5/distinct-questions-apart",
        "3.5/hit-when-fresh",
        "3.5/counts-hits-misses",
        "3.5/hit-rate",
    ],
)
def hits_on_the_same_question(ns: Namespace) -> None:
    rng = ns.rng
    ttl = float(rng.randint(60, 600))
    cache, clock, model = _cache(ns, ttl)
    _counts(cache, 0, 0, "no lookup at all")
    question = rng.choice(_QUESTIONS)
    variants = (
        "  " + question.upper().replace(" ", "   ") + " \n",
        "\t" + question.lower().replace(" ", " \t ") + "  ",
        question.replace(" ", "\n"),
    )
    first = clock.run(cache.ask(question))
    for n, variant in enumerate(variants, start=1):
        clock.sleep(ttl / 8)
        again = clock.run(cache.ask(variant))
        if len(model.calls) != 1 or again != first:
            raise CheckFailed(
                "The same question (up to spaces and case) asked again within the ttl should be answered from the "
                "cache.",
                expected=f"1 model call, the same answer again ({first!r}) for {variant!r}",
                got=f"{len(model.calls)} model calls, answers {first!r} and {again!r}",
                hint="Normalise the key: collapse every run of whitespace to one space, trim, casefold.",
            )
        _counts(cache, n, 1, f"a miss and {n} hit(s)")
    # questions that differ only in where a space is are different questions
    pair: tuple[str, ...] = (f"Where is my order A{rng.randint(10, 99)}{rng.randint(10, 99)}?",)
    pair += (pair[0][:-3] + " " + pair[0][-3:],)
    answers = [clock.run(cache.ask(q)) for q in pair]
    if len(model.calls) != 3 or answers[0] == answers[1]:
        raise CheckFailed(
            "Two different questions must not share a cache entry.",
            expected=f"a model call for each of {list(pair)}",
            got=f"{len(model.calls) - 1} model calls, answers {answers}",
            hint="Collapse whitespace to one space; do not remove it: 'A1042' and 'A10 42' are different orders.",
        )
    _counts(cache, 3, 3, "the first question's miss and 3 hits, and two other questions")


@exercise(
    "3.5",
    points=2,
    rules=[
        "3.5/stale-at-ttl",
        "3.5/stored-when-answered",
        "3.5/miss-stores",
        "3.5/never-cache-failure",
        "3.5/hit-when-fresh",
        "3.5/counts-hits-misses",
    ],
)
def expires_and_never_caches_failures(ns: Namespace) -> None:
    rng = ns.rng
    question = rng.choice(_QUESTIONS)
    ttl, delay = float(rng.randint(60, 600)), rng.randint(2, 16) / 2
    cache, clock, model = _cache(ns, ttl, delay=delay, fail_once=question)
    try:
        got = clock.run(cache.ask(question))
    except RuntimeError:
        pass
    else:
        raise CheckFailed(
            "When the model call fails, the caller should get the exception.",
            expected="RuntimeError('503 overloaded')",
            got=got,
        )
    answer = clock.run(cache.ask(question))
    if len(model.calls) != 2 or answer != "answer #2":
        raise CheckFailed(
            "A failure must not be cached: the next ask should call the model again.",
            expected="a second model call and its answer",
            got=f"{len(model.calls)} model calls, answer {answer!r}",
            hint="Store an answer only after the model call returned.",
        )
    _counts(cache, 0, 2, "a failed model call and a second miss")
    stored = clock.now()  # the answer came back `delay` seconds after it was asked for
    came_back = (
        f"The entry's age counts from when the answer came back (the model took {delay:g} s), not from when it "
        "was asked for."
    )
    replaced = "A miss stores its answer: the stale entry is replaced, and the new answer is fresh from then."
    steps = ((ttl - 0.5, True, came_back), (ttl, False, ""), (ttl - 0.5, True, replaced), (ttl + 0.5, False, ""))
    for age, fresh, why in steps:
        clock.advance_to(stored + age)
        calls = len(model.calls)
        got = clock.run(cache.ask(question))
        if fresh and (len(model.calls) != calls or got != answer):
            raise CheckFailed(
                f"An answer stored {age:g} s ago with ttl {ttl:g} s is fresh: it should be a hit.",
                expected=f"no model call, the cached {answer!r}",
                got=f"{len(model.calls) - calls} model call(s), answer {got!r}",
                hint=why,
            )
        if not fresh and len(model.calls) != calls + 1:
            raise CheckFailed(
                f"An answer stored {age:g} s ago with ttl {ttl:g} s is stale: it should be a miss that asks the "
                "model again.",
                expected="a model call",
                got=f"no model call, answer {got!r}",
                hint="Fresh means younger than the ttl: at exactly ttl seconds old an entry is stale. Keep the time "
                "the answer was stored and compare its age with ttl on the clock.",
            )
        if not fresh:
            answer, stored = got, clock.now()
    _counts(cache, 2, 4, "two misses (one failed), a hit, a stale miss, a hit of the fresh entry and a stale miss")
