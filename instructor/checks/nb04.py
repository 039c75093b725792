"""Hidden checks of notebook 04: run only when grading, never by ``check()``, and never shipped to learners
(``python -m grader template`` leaves ``instructor/`` out).

They add unseen inputs (other seeds, other scenarios) to the public checks of ``grader/checks/nb04.py``, whose ``RULES``
they name and whose helpers they import; they never hold a rule the public checks skip.
"""

from __future__ import annotations

import random

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks.nb04 import (
    _CLIENT_WHY,
    _SERVER_WHY,
    PERMANENT,
    TRANSIENT,
    _chain,
    _expect_served,
    _judge,
    _mocked,
    _question,
    _response,
    _retry,
    _serve,
)
from weekfour.clock import SimClock
from weekfour.labs.fallbacks import failure
from weekfour.sandbox import sandbox

__all__ = [
    "a_long_night_with_other_settings",
    "a_longer_chain",
    "backoff_uses_full_jitter",
    "bad_requests_do_not_trip_the_breaker",
    "classifies_statuses_it_has_not_seen",
]


@exercise("4.1", points=1, hidden=True, rules=["4.1/every-5xx-retried", "4.1/client-errors-never"])
def classifies_statuses_it_has_not_seen(ns: Namespace) -> None:
    """Unseen inputs: other statuses of the same classes, other seeds of the mocked failures."""
    retryable = [(f"a {s}", _response(s, "server_error"), _SERVER_WHY) for s in ns.rng.sample(range(501, 599), 5)]
    retryable += [_mocked(ns, kind) for kind in TRANSIENT]
    _judge(ns, retryable, True)
    clients = [s for s in range(400, 499) if s not in (408, 409, 429)]
    permanent = [(f"a {s}", _response(s, "invalid_request_error"), _CLIENT_WHY) for s in ns.rng.sample(clients, 5)]
    permanent += [_mocked(ns, kind) for kind in PERMANENT]
    _judge(ns, permanent, False)


@exercise("4.2", points=2, hidden=True, rules=["4.2/full-jitter"])
def backoff_uses_full_jitter(ns: Namespace) -> None:
    base = round(ns.rng.uniform(0.5, 1.0), 2)
    cap = round(ns.rng.uniform(1.5 * base, 3.5 * base), 2)
    overloaded = failure("overloaded")
    ok = failure("ok")
    for retry in (1, 3):
        bound = min(cap, base * 2 ** (retry - 1))
        waits = []
        for run in range(40):
            _, _, send, _ = _retry(
                ns,
                [*([overloaded] * retry), ok],
                rng=random.Random(run),
                max_attempts=5,
                base=base,
                cap=cap,
                deadline=600.0,
            )
            if len(send.waits) >= retry:
                waits.append(send.waits[retry - 1])
        if len(waits) < 40 or min(waits) < -1e-9 or max(waits) > bound + 1e-6:
            raise CheckFailed(
                f"Wait {retry} (base={base}, cap={cap}) should always lie between 0 and {bound:g} s.",
                expected=f"40 waits in [0, {bound:g}]",
                got=f"{len(waits)} waits from {min(waits, default=0):.3f} to {max(waits, default=0):.3f}",
                hint="The ceiling doubles each retry and stops at cap.",
            )
        if min(waits) > 0.25 * bound or max(waits) < 0.75 * bound or len(set(waits)) < 30:
            raise CheckFailed(
                f"Over 40 runs, wait {retry} should spread over the whole range 0..{bound:g} s (full jitter), so "
                "that clients that failed together do not retry together.",
                expected=f"waits spread over 0..{bound:g}",
                got=f"{len(set(waits))} distinct waits from {min(waits):.3f} to {max(waits):.3f}",
                hint="A fixed exponential wait (or one that only jitters by a few percent) keeps the herd in step.",
            )
    _, _, first, _ = _retry(ns, ["overloaded", "overloaded", "ok"], rng=random.Random(7), max_attempts=5)
    _, _, second, _ = _retry(ns, ["overloaded", "overloaded", "ok"], rng=random.Random(7), max_attempts=5)
    same = len(first.waits) == len(second.waits) and all(
        abs(a - b) < 1e-6 for a, b in zip(first.waits, second.waits, strict=True)
    )
    if not same:
        raise CheckFailed(
            "With the same seeded rng, call_with_retries should wait the same durations (so a night replays).",
            expected=[round(w, 4) for w in first.waits],
            got=[round(w, 4) for w in second.waits],
            hint="Draw the jitter from the `rng` argument, not from the `random` module.",
        )


@exercise("4.3", points=1, hidden=True, rules=["4.3/first-healthy-wins", "4.3/answer-cached", "4.3/cache-rung"])
def a_longer_chain(ns: Namespace) -> None:
    """Unseen inputs: three rungs with other names, a random one healthy."""
    names = ("primary", "backup", "standby")
    handle, rungs = _chain(ns, names)
    healthy = ns.rng.randrange(3)
    for i, rung in enumerate(rungs):
        if i < healthy:
            rung.down()
    q = _question(ns.rng)
    got = _serve(handle, q, f"only rung {healthy + 1} of 3 ({names[healthy]}) is up", "its answer")
    _expect_served(got, names[healthy], f"the rungs before {names[healthy]!r} fail", rungs[healthy].answers[q])
    if any(r.calls for r in rungs[healthy + 1 :]):
        raise CheckFailed("Rungs after the one that answered should not be asked.", expected=0, got="some were")
    for rung in rungs:
        rung.down()
    got = _serve(handle, q, "all three rungs are down", "the cache")
    _expect_served(got, "cache", "all three rungs are down", rungs[healthy].answers[q])


class _ReferenceBreaker:
    """The breaker the exercise describes, to replay a long random night against."""

    def __init__(self, clock: SimClock, threshold: int, cooldown: float) -> None:
        self.clock, self.threshold, self.cooldown = clock, threshold, cooldown
        self.opened_at: float | None = None
        self.failures, self.probing = 0, False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.clock.now() - self.opened_at >= self.cooldown else "open"

    def allow(self) -> bool:
        state = self.state
        if state == "half_open" and not self.probing:
            self.probing = True
            return True
        return state == "closed"

    def record(self, ok: bool) -> None:
        if ok:
            self.failures, self.opened_at, self.probing = 0, None, False
            return
        self.failures += 1
        if self.probing or self.failures >= self.threshold:
            self.opened_at, self.probing = self.clock.now(), False


@exercise("4.4", points=1, hidden=True, rules=["4.4/opens-at-threshold", "4.4/one-probe", "4.4/probe-failure-reopens"])
def a_long_night_with_other_settings(ns: Namespace) -> None:
    """Unseen inputs: other thresholds (1 included) and cooldowns, a few hundred calls against a flaky provider."""
    cls = ns.function("CircuitBreaker")
    for threshold in (1, ns.rng.randint(3, 12)):
        clock = SimClock()
        clock.sleep(float(ns.rng.randrange(1, 86_400)))
        cooldown = float(ns.rng.randrange(5, 90))
        breaker = cls(clock=clock, failure_threshold=threshold, cooldown=cooldown)
        reference = _ReferenceBreaker(clock, threshold, cooldown)
        flakiness = ns.rng.uniform(0.3, 0.8)
        for call in range(300):
            want, got = reference.allow(), breaker.allow()
            if got != want:
                raise CheckFailed(
                    f"Call {call + 1} of a long night (threshold {threshold}, cooldown {cooldown:g} s, a provider that "
                    f"fails {flakiness:.0%} of the time): allow() disagrees with the breaker the exercise describes.",
                    expected=want,
                    got=got,
                    hint="closed: every call; open: none until the cooldown; half_open: one probe, whose outcome "
                    "closes or reopens the breaker.",
                )
            if want:
                ok = ns.rng.random() > flakiness
                reference.record(ok)
                (breaker.record_success if ok else breaker.record_failure)()
            clock.sleep(float(ns.rng.randrange(1, 20)))


@exercise("4.5", points=2, hidden=True, rules=["4.5/others-success"])
def bad_requests_do_not_trip_the_breaker(ns: Namespace) -> None:
    build_handler = ns.function("build_handler")
    sb = sandbox(seed=ns.rng.randrange(1000))
    handler = build_handler(sb)
    k = ns.rng.randint(5, 7)
    pastes = sb.questions(k, seed=ns.rng.randrange(1000), mix={"long_paste": 1})
    normal = sb.questions(3, seed=ns.rng.randrange(1000), mix={"status": 1})
    rungs = [handler(q.text).rung for q in pastes]
    if any(r != "degraded" for r in rungs):
        raise CheckFailed(
            "A 40,000-token paste does not fit any model's context window: every rung rejects it, and the "
            "customer should get the degraded answer.",
            expected=["degraded"] * k,
            got=rungs,
        )
    after = [handler(q.text).rung for q in normal]
    if after != ["primary"] * 3:
        raise CheckFailed(
            f"After {k} requests that were too long (HTTP 400 context_length_exceeded), the primary is perfectly "
            "healthy: the next questions should be answered by it.",
            expected=["primary"] * 3,
            got=after,
            hint="A 4xx other than 429 is your request's fault, not the provider's: it must not trip the breaker.",
        )
    sent = sum(1 for e in sb.provider.log if e.error_code == "context_length_exceeded")
    if sent > k:
        raise CheckFailed(
            "A request that can never fit was retried.",
            expected=f"{k} requests (one per paste)",
            got=sent,
        )
