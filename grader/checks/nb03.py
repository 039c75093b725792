"""Checks of notebook 03 (latency on the hot path): percentiles, a job pipeline, streaming, fan-out, a cache.

Every check builds its own scenario from ``ns.rng`` (durations, limits, latencies, questions), runs the learner's code
on a :class:`~weekfour.clock.SimClock` (async code on its virtual-time loop), and compares with what the contract in
the notebook says. Nothing sleeps for real.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

from grader.checks import CheckFailed, Namespace, exercise

__all__ = [
    "caps_in_flight_and_keeps_order",
    "errors_stay_in_their_slot",
    "expires_and_never_caches_failures",
    "failed_jobs_are_kept_and_retried",
    "hit_rate_starts_at_zero_and_keys_stay_apart",
    "hits_on_the_same_question",
    "one_streamed_request",
    "percentile_edge_cases",
    "percentile_interpolates_linearly",
    "streams_tokens_as_they_arrive",
    "submit_returns_at_once_and_runs_oldest_first",
    "summary_leaves_errors_out_of_latency",
    "timeout_per_call_not_per_wait",
    "two_workers_never_share_a_job",
]

_EPS = 1e-6
_QUESTIONS = (
    "What is your return policy?",
    "Can I cancel an order?",
    "How long does shipping take?",
    "Is there a warranty on shoes?",
    "Can I get a refund on a gift card?",
)


def _close(a: Any, b: float, tol: float = _EPS) -> bool:
    return isinstance(a, int | float) and not isinstance(a, bool) and math.isfinite(a) and abs(a - b) <= tol


def _linear(values: list[float], p: float) -> float:
    import pandas as pd

    return float(pd.Series(values, dtype=float).quantile(p / 100))


# -- 3.1 ----------------------------------------------------------------------------------------------------------
@exercise("3.1", points=2, title="Percentiles from the request log")
def percentile_interpolates_linearly(ns: Namespace) -> None:
    percentile = ns.function("percentile")
    rng = ns.rng
    for _ in range(4):
        values = [round(rng.lognormvariate(0.5, 0.8), 3) for _ in range(rng.randint(5, 40))]
        original = list(values)
        for p in (50, 95, 99, rng.choice([10, 25, 75, 90])):
            got = percentile(values, p)
            want = _linear(original, p)
            if values != original:
                raise CheckFailed(
                    "percentile sorted (or changed) the caller's list in place.",
                    hint="Work on a sorted copy: the caller's request log must keep its order.",
                )
            if not _close(got, want, 1e-9):
                raise CheckFailed(
                    f"percentile(values, {p}) is not the linear-interpolation percentile ({len(values)} values).",
                    expected=round(want, 6),
                    got=got,
                    hint="Sort a copy, take rank = p/100 * (n - 1), and interpolate between the values at the "
                    "floor and the ceiling of that rank.",
                )


@exercise("3.1", points=2)
def summary_leaves_errors_out_of_latency(ns: Namespace) -> None:
    from weekfour.provider import LogEntry, RequestLog

    latency_summary = ns.function("latency_summary")
    rng = ns.rng
    log = RequestLog()
    ok: list[float] = []
    n = rng.randint(30, 60)
    for i in range(n):
        status: int | str = rng.choice([200] * 6 + [429, 503, "timeout"])
        seconds = rng.uniform(1.0, 9.0) if status == 200 else rng.uniform(0.01, 0.06)
        if status == "timeout":
            seconds = 30.0
        if status == 200:
            ok.append(seconds)
        log.append(LogEntry(f"req_{i}", 0.0, seconds, seconds, "wf-chat", "wf-chat-2026-01-15", status))
    got = latency_summary(log)
    if not isinstance(got, dict):
        raise CheckFailed("latency_summary should return a dict.", expected="dict", got=type(got).__name__)
    want = {"requests": n, "errors": n - len(ok), **{f"p{p}": _linear(ok, p) for p in (50, 95, 99)}}
    for key, value in want.items():
        if key not in got:
            raise CheckFailed(f"latency_summary's result has no key {key!r}.", expected=sorted(want), got=sorted(got))
        if not _close(got[key], value, 1e-9):
            hint = (
                "Count every entry, and as errors every entry that is not OK."
                if key in ("requests", "errors")
                else "Only successful entries (entry.ok) go into the percentiles: a 429 answered in 40 ms is not a "
                "fast answer."
            )
            raise CheckFailed(
                f"latency_summary(log)[{key!r}] is wrong.", expected=round(value, 6), got=got[key], hint=hint
            )


@exercise("3.1", points=1, hidden=True)
def percentile_edge_cases(ns: Namespace) -> None:
    percentile = ns.function("percentile")
    values = [ns.rng.uniform(0, 10) for _ in range(ns.rng.randint(3, 9))]
    cases = {0: min(values), 100: max(values)}
    for p, want in cases.items():
        got = percentile(values, p)
        if not _close(got, want, 1e-9):
            raise CheckFailed(
                f"percentile(values, {p}) should be the {'min' if p == 0 else 'max'}.", expected=want, got=got
            )
    single = ns.rng.uniform(0, 10)
    if not _close(percentile([single], 95), single, 1e-9):
        raise CheckFailed("The percentile of one value is that value.", expected=single, got=percentile([single], 95))
    for bad_values, bad_p in (([], 50), (values, 101), (values, -1)):
        try:
            got = percentile(bad_values, bad_p)
        except ValueError:
            continue
        raise CheckFailed(
            f"percentile({bad_values if not bad_values else 'values'}, {bad_p}) should raise ValueError.",
            expected="ValueError",
            got=got,
            hint="An empty log or a p outside 0..100 is a mistake of the caller: say so.",
        )


# -- 3.2 ----------------------------------------------------------------------------------------------------------
def _recording_work(
    clock: Any, duration: float, *, fail_first: frozenset[str] = frozenset()
) -> tuple[Callable[..., Any], list[str]]:
    calls: list[str] = []

    async def work(payload: str) -> str:
        calls.append(payload)
        await clock.asleep(duration)
        if payload in fail_first and calls.count(payload) == 1:
            raise RuntimeError(f"503 overloaded while answering {payload!r}")
        return f"answer to {payload}"

    return work, calls


def _run_one(queue: Any, clock: Any) -> Any:
    try:
        return clock.run(queue.run_one())
    except NotImplementedError:
        raise
    except Exception as exc:
        raise CheckFailed(
            f"run_one raised {type(exc).__name__}: {exc}",
            hint="A failed job is recorded on the job (state 'failed', error); the worker itself keeps going.",
        ) from exc


@exercise("3.2", points=3, title="A background job pipeline")
def submit_returns_at_once_and_runs_oldest_first(ns: Namespace) -> None:
    from weekfour import SimClock

    JobQueue = ns.function("JobQueue")
    clock = SimClock()
    work, calls = _recording_work(clock, ns.rng.uniform(1.0, 5.0))
    queue = JobQueue(work)
    payloads = [f"Where is my order A{ns.rng.randint(1000, 1199)}?" for _ in range(ns.rng.randint(3, 6))]
    payloads.append(payloads[0])  # the same question twice is two jobs
    ids = [queue.submit(p) for p in payloads]
    if calls or clock.now() != 0.0:
        raise CheckFailed(
            "submit ran the work: the page would wait for the model again.",
            expected="no call to work until a worker runs the job",
            got=f"{len(calls)} calls during submit",
            hint="submit only records the job and puts it in line; run_one does the work.",
        )
    if len(set(ids)) != len(ids) or not all(isinstance(i, str) for i in ids):
        raise CheckFailed(
            "submit should return a new string id for every job, even for the same question twice.",
            expected=f"{len(ids)} distinct ids",
            got=ids,
        )
    states = [getattr(queue.status(i), "state", None) for i in ids]
    if states != ["queued"] * len(ids):
        raise CheckFailed("A submitted job should be 'queued' until a worker takes it.", expected="queued", got=states)
    for n in range(1, len(ids) + 1):
        ran = _run_one(queue, clock)
        if ran is not True and not (ran and isinstance(ran, bool)):
            raise CheckFailed("run_one should return True when it ran a job.", expected=True, got=ran)
        if calls != payloads[:n]:
            raise CheckFailed(
                "Workers should take the oldest queued job first.",
                expected=payloads[:n],
                got=calls,
                hint="First in, first out: a stack makes the first visitors wait for everyone after them.",
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


@exercise("3.2", points=3)
def failed_jobs_are_kept_and_retried(ns: Namespace) -> None:
    from weekfour import SimClock

    JobQueue = ns.function("JobQueue")
    clock = SimClock()
    payloads = [f"Can I return order A{1000 + i}?" for i in ns.rng.sample(range(200), 3)]
    doomed = payloads[ns.rng.randrange(3)]
    work, calls = _recording_work(clock, 1.0, fail_first=frozenset({doomed}))
    queue = JobQueue(work)
    ids = {p: queue.submit(p) for p in payloads}
    for _ in payloads:
        _run_one(queue, clock)
    job = queue.status(ids[doomed])
    if getattr(job, "state", None) != "failed":
        raise CheckFailed(
            "A job whose work raised should be kept with state 'failed'.",
            expected="failed",
            got=getattr(job, "state", None),
            hint="Catch the exception around the work and record it on the job.",
        )
    if not job.error or "RuntimeError" not in job.error or "503 overloaded" not in job.error:
        raise CheckFailed(
            "A failed job should record why: 'ExceptionName: message'.",
            expected=f"RuntimeError: 503 overloaded while answering {doomed!r}",
            got=job.error,
        )
    others = [queue.status(ids[p]).state for p in payloads if p != doomed]
    if others != ["done", "done"]:
        raise CheckFailed("One failed job should not stop the others.", expected=["done", "done"], got=others)
    queue.retry(ids[doomed])
    if queue.status(ids[doomed]).state != "queued":
        raise CheckFailed("retry should put the failed job back in line.", expected="queued", got=job.state)
    ran = _run_one(queue, clock)
    job = queue.status(ids[doomed])
    if not ran or (job.state, job.result, job.attempts) != ("done", f"answer to {doomed}", 2):
        raise CheckFailed(
            "After retry, the next run_one should run the job again and finish it.",
            expected=("done", f"answer to {doomed}", 2),
            got=(job.state, job.result, job.attempts),
            hint="retry changes the state and puts the id back where workers take jobs from.",
        )
    try:
        queue.retry(ids[doomed])
    except ValueError:
        pass
    else:
        raise CheckFailed(
            "retry of a job that is not failed should raise ValueError: it would run (and bill) the job twice.",
            expected="ValueError",
            got="no error",
        )


@exercise("3.2", points=2, hidden=True)
def two_workers_never_share_a_job(ns: Namespace) -> None:
    from weekfour import SimClock

    JobQueue = ns.function("JobQueue")
    clock = SimClock()
    duration = ns.rng.uniform(1.0, 4.0)
    work, calls = _recording_work(clock, duration)
    queue = JobQueue(work)
    payloads = [f"question {i}" for i in ns.rng.sample(range(10_000), ns.rng.randint(4, 9))]
    for p in payloads:
        queue.submit(p)

    async def worker() -> None:
        while await queue.run_one():
            pass

    async def two() -> None:
        await asyncio.gather(worker(), worker())

    clock.run(two())
    if sorted(calls) != sorted(payloads):
        raise CheckFailed(
            "With two workers, every job should run exactly once.",
            expected=f"{len(payloads)} calls, one per job",
            got=f"{len(calls)} calls: {calls}",
            hint="Take the job out of the line before the first await, or two workers take the same one.",
        )
    want = math.ceil(len(payloads) / 2) * duration
    if not _close(clock.now(), want, 1e-3):
        raise CheckFailed(
            "Two workers should run two jobs at a time.",
            expected=f"{want:.2f} simulated s",
            got=f"{clock.now():.2f} s",
        )


# -- 3.3 ----------------------------------------------------------------------------------------------------------
def _stream_setup(ns: Namespace) -> tuple[Any, list[dict[str, Any]], str, float, float]:
    from weekfour import LatencyProfile, Scenario, sandbox
    from weekfour.labs.latency import CHAT_PROMPT

    rng = ns.rng
    ttft, per_token = rng.uniform(0.3, 2.5), rng.uniform(0.01, 0.08)
    scenario = Scenario(name="check", latency=LatencyProfile(ttft=ttft, per_output_token=per_token, jitter=0.0))
    seed = rng.randrange(10_000)
    question = f"{rng.choice(_QUESTIONS)} My order is A{rng.randint(1000, 1199)}."
    messages = [{"role": "system", "content": CHAT_PROMPT}, {"role": "user", "content": question}]
    twin = sandbox(scenario, seed=seed)
    body = twin.client(timeout=60).post("/chat/completions", json={"model": "wf-chat", "messages": messages}).json()
    expected = body["choices"][0]["message"]["content"] or ""
    return sandbox(scenario, seed=seed), messages, expected, ttft, per_token


@exercise("3.3", points=4, title="Stream where a person watches")
def streams_tokens_as_they_arrive(ns: Namespace) -> None:
    stream_reply = ns.function("stream_reply")
    sb, messages, expected, _, _ = _stream_setup(ns)
    seen: list[tuple[float, str]] = []
    start = sb.clock.now()
    got = stream_reply(
        sb.client(timeout=60), messages, clock=sb.clock, on_token=lambda t: seen.append((sb.clock.now(), t))
    )
    entry = sb.log[-1] if len(sb.log) else None
    if entry is None or not entry.stream:
        raise CheckFailed(
            "stream_reply should ask the provider for a stream.",
            expected='a request with "stream": true',
            got="no streamed request",
        )
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
    if not _close(first_at, entry.ttft_s or 0.0, 1e-3) or len(pieces) < 2 or seen[-1][0] <= seen[0][0]:
        raise CheckFailed(
            "on_token should be called as each token arrives, the first one at the time to first token.",
            expected=f"first piece at {entry.ttft_s:.3f} s, the rest spread until {entry.latency_s:.3f} s",
            got=f"first piece at {first_at:.3f} s, last at {seen[-1][0] - start:.3f} s",
            hint="Read the response while it streams (client.stream + iter_lines), not after it is complete.",
        )
    for name, want in (("ttft", entry.ttft_s or 0.0), ("total", entry.latency_s)):
        value = getattr(got, name, None)
        if not _close(value, want, 1e-3):
            raise CheckFailed(
                f"Streamed.{name} should be measured on the simulated clock from just before the request.",
                expected=round(want, 3),
                got=value,
                hint="Use clock.now() before sending, at the first non-empty piece, and at the end of the stream.",
            )


@exercise("3.3", points=1, hidden=True)
def one_streamed_request(ns: Namespace) -> None:
    stream_reply = ns.function("stream_reply")
    sb, messages, expected, _, _ = _stream_setup(ns)
    stream_reply(sb.client(timeout=60), messages, clock=sb.clock, on_token=lambda t: None)
    kinds = [e.stream for e in sb.log]
    if kinds != [True]:
        raise CheckFailed(
            "stream_reply should make exactly one request, a streamed one.",
            expected=[True],
            got=kinds,
            hint="Every extra call costs the full answer again.",
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


def _fan_out(ns: Namespace, questions: list[str], meter: _Meter, limit: int, timeout: float) -> tuple[list[Any], float]:
    from weekfour import SimClock

    fan_out = ns.function("fan_out")
    clock = SimClock()
    try:
        results = clock.run(fan_out(questions, meter, max_in_flight=limit, timeout=timeout))
    except (NotImplementedError, CheckFailed):
        raise
    except Exception as exc:
        raise CheckFailed(
            f"fan_out raised {type(exc).__name__}: {exc}",
            hint="One call failing or timing out should put an exception in its own slot, not abort the batch.",
        ) from exc
    if not isinstance(results, list) or len(results) != len(questions):
        raise CheckFailed("fan_out should return a list with one result per question.", got=results)
    return results, clock.now()


@exercise("3.4", points=2, title="Fan out with a cap and a timeout")
def caps_in_flight_and_keeps_order(ns: Namespace) -> None:
    rng = ns.rng
    n, limit, d = rng.randint(8, 16), rng.randint(2, 5), round(rng.uniform(0.5, 3.0), 2)
    questions = [f"q{i}-{rng.randrange(1000)}" for i in range(n)]
    meter = _Meter(dict.fromkeys(questions, d))
    results, elapsed = _fan_out(ns, questions, meter, limit, timeout=10 * d)
    if results != [f"answer:{q}" for q in questions]:
        raise CheckFailed("fan_out should return the answers in the order of the questions.", got=results[:4])
    if meter.peak != limit:
        raise CheckFailed(
            f"With max_in_flight={limit}, exactly {limit} calls should run at once.",
            expected=limit,
            got=meter.peak,
            hint="A cap shared by every call (one Semaphore for the whole batch), and the calls started together.",
        )
    want = math.ceil(n / limit) * d
    if not _close(elapsed, want, 1e-3):
        raise CheckFailed(
            f"{n} calls of {d} s with {limit} slots should take {want:.2f} simulated s.",
            expected=round(want, 3),
            got=round(elapsed, 3),
        )


@exercise("3.4", points=2)
def timeout_per_call_not_per_wait(ns: Namespace) -> None:
    rng = ns.rng
    d, timeout = 1.0, 1.5
    questions = [f"fast-{i}-{rng.randrange(1000)}" for i in range(rng.randint(5, 8))]
    slow_at = rng.randrange(len(questions))
    questions.insert(slow_at, "slow-one")
    durations = dict.fromkeys(questions, d) | {"slow-one": 3 * timeout}
    meter = _Meter(durations)
    results, _ = _fan_out(ns, questions, meter, 2, timeout)
    expected = ["TimeoutError" if q == "slow-one" else f"answer:{q}" for q in questions]
    got = [type(r).__name__ if isinstance(r, BaseException) else r for r in results]
    if got != expected:
        raise CheckFailed(
            f"Only the call that runs longer than the timeout ({timeout} s) should time out; calls of {d} s that "
            "waited in line for a slot should not.",
            expected=expected,
            got=got,
            hint="Start the per-call timer once the call has its slot; waiting in line is not the call's fault.",
        )
    if "slow-one" in meter.finished or meter.in_flight != 0:
        raise CheckFailed(
            "A timed-out call should be cancelled, not left running in the background.",
            hint="asyncio.timeout and asyncio.wait_for cancel what they wrap.",
        )


@exercise("3.4", points=1, hidden=True)
def errors_stay_in_their_slot(ns: Namespace) -> None:
    rng = ns.rng
    questions = [f"q{i}" for i in range(rng.randint(4, 8))]
    bad = rng.choice(questions)
    meter = _Meter(dict.fromkeys(questions, 0.5), failing={bad: ValueError("no such order")})
    results, _ = _fan_out(ns, questions, meter, 3, 5.0)
    for q, r in zip(questions, results, strict=True):
        ok = isinstance(r, ValueError) if q == bad else r == f"answer:{q}"
        if not ok:
            raise CheckFailed(
                "A call that raised should leave its exception in its own slot; the others answer normally.",
                expected=["ValueError" if x == bad else f"answer:{x}" for x in questions],
                got=[type(x).__name__ if isinstance(x, BaseException) else x for x in results],
            )


# -- 3.5 ----------------------------------------------------------------------------------------------------------
class _Model:
    def __init__(self, *, fail_once: str | None = None) -> None:
        self.calls: list[str] = []
        self.fail_once = fail_once

    async def __call__(self, question: str) -> str:
        self.calls.append(question)
        if question == self.fail_once and self.calls.count(question) == 1:
            raise RuntimeError("503 overloaded")
        return f"answer #{len(self.calls)}"


def _cache(ns: Namespace, model: _Model, ttl: float) -> tuple[Any, Any]:
    from weekfour import SimClock

    AnswerCache = ns.function("AnswerCache")
    clock = SimClock()
    return AnswerCache(model, clock=clock, ttl=ttl), clock


@exercise("3.5", points=2, title="Cache repeated questions")
def hits_on_the_same_question(ns: Namespace) -> None:
    rng = ns.rng
    model = _Model()
    ttl = rng.uniform(60, 600)
    cache, clock = _cache(ns, model, ttl)
    question = rng.choice(_QUESTIONS)
    variant = "  " + question.upper().replace(" ", "   ") + " \n"
    first = clock.run(cache.ask(question))
    clock.sleep(ttl / 3)
    second = clock.run(cache.ask(variant))
    if len(model.calls) != 1 or second != first:
        raise CheckFailed(
            "The same question (up to spaces and case) asked again within the ttl should be answered from the cache.",
            expected=f"1 model call, the same answer twice ({first!r})",
            got=f"{len(model.calls)} model calls, answers {first!r} and {second!r}",
            hint="Normalise the key: collapse whitespace, trim, casefold.",
        )
    other = next(q for q in _QUESTIONS if q != question)
    clock.run(cache.ask(other))
    if (cache.hits, cache.misses) != (1, 2) or not _close(cache.hit_rate, 1 / 3, 1e-9):
        raise CheckFailed(
            "After a miss, a hit and a miss: hits 1, misses 2, hit_rate 1/3.",
            expected=(1, 2, round(1 / 3, 4)),
            got=(cache.hits, cache.misses, cache.hit_rate),
            hint="hit_rate is hits / (hits + misses).",
        )


@exercise("3.5", points=2)
def expires_and_never_caches_failures(ns: Namespace) -> None:
    rng = ns.rng
    question = rng.choice(_QUESTIONS)
    model = _Model(fail_once=question)
    ttl = rng.uniform(60, 600)
    cache, clock = _cache(ns, model, ttl)
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
    clock.sleep(ttl + rng.uniform(1, 60))
    stale = clock.run(cache.ask(question))
    if len(model.calls) != 3 or stale == answer:
        raise CheckFailed(
            f"An entry older than the ttl ({ttl:.0f} s) is stale: it should be a miss that asks the model again.",
            expected="a third model call",
            got=f"{len(model.calls)} model calls, answer {stale!r}",
            hint="Keep the time an answer was stored, and compare its age with ttl on the clock.",
        )


@exercise("3.5", points=1, hidden=True)
def hit_rate_starts_at_zero_and_keys_stay_apart(ns: Namespace) -> None:
    model = _Model()
    cache, clock = _cache(ns, model, 300.0)
    if cache.hit_rate != 0.0:
        raise CheckFailed("hit_rate before any lookup should be 0.0.", expected=0.0, got=cache.hit_rate)
    a, b = ns.rng.sample(list(_QUESTIONS), 2)
    answers = [clock.run(cache.ask(q)) for q in (a, b, a, b)]
    if answers != ["answer #1", "answer #2", "answer #1", "answer #2"]:
        raise CheckFailed(
            "Different questions must not share a cache entry.", expected=["#1", "#2", "#1", "#2"], got=answers
        )
