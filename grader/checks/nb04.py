"""Checks for notebook 04 (no fallback): classify failures, retry with backoff, a fallback chain, a circuit breaker,
and the resilient handler assembled from them.

Every scenario is drawn from ``ns.rng`` (a fresh seed per run) and driven through the mocked provider's real failures
(``weekfour.labs.fallbacks.failure``) on a simulated clock, so a hard-coded answer fails and nothing sleeps.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import httpx

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks._helpers import must_not_raise
from weekfour.agent import Reply
from weekfour.clock import SimClock
from weekfour.labs.fallbacks import ScriptedSend, failure, run_traffic
from weekfour.sandbox import BACKUP_MODELS, sandbox
from weekfour.scenarios import CHAT_FAMILY, Scenario
from weekfour.serving import CircuitOpen, Served
from weekfour.types import FaultKind, FaultWindow

RULES = {
    # 4.1 classify failures
    "4.1/transport-retried": "a timeout (every httpx.TimeoutException) or a network error (every httpx.NetworkError: "
    "ConnectError, ReadError, WriteError, CloseError) is retryable",
    "4.1/other-transport-permanent": "the other httpx.TransportErrors (ProtocolError, ProxyError, UnsupportedProtocol) "
    "and any exception that is not a TransportError are not retryable",
    "4.1/408-409-retried": "a 408 and a 409 are retryable",
    "4.1/every-5xx-retried": "every 5xx (500 to 599) is retryable, and a 499 is not",
    "4.1/rate-limit-retried": "a 429 rate_limit_exceeded is retryable, with or without retry-after, and so is a 429 "
    "with no JSON error body",
    "4.1/quota-never": "a 429 insufficient_quota is never retryable, even with a retry-after",
    "4.1/too-large-never": "a 429 that says 'Request too large' and carries no retry-after is not retryable; with a "
    "retry-after it is rate limiting again",
    "4.1/client-errors-never": "400 (context_length_exceeded too), 401, 403, 404, 422 and every other 4xx but 408, 409 "
    "and 429 are not retryable",
    "4.1/returns-bool": "is_retryable returns True or False, not None or another truthy value",
    # 4.2 retry with backoff
    "4.2/success-returned": "a 2xx is returned at once",
    "4.2/transient-retried": "a retryable failure, raised (timeout, refused connection) or returned (5xx, 429), is "
    "retried",
    "4.2/permanent-stops": "a failure is_retryable rejects ends the loop at once: one request, no wait",
    "4.2/retry-after-ms-first": "retry-after-ms / 1000 is the wait when the response has it (sub-second waits too)",
    "4.2/retry-after-seconds": "without retry-after-ms, retry-after (seconds) is the wait",
    "4.2/retry-after-over-cap": "a retry-after longer than cap is waited in full: cap bounds only your own backoff",
    "4.2/retry-after-not-a-number": "a retry header that is not a number (retry-after may be an HTTP date) is ignored",
    "4.2/full-jitter": "without retry-after, retry k waits rng.uniform(0, min(cap, base * 2 ** (k - 1))) from the rng "
    "given, one draw per retry",
    "4.2/sim-clock": "waits go through clock.sleep, the simulated clock",
    "4.2/max-attempts": "at most max_attempts calls of send() in all, the first included",
    "4.2/no-wait-after-last": "after the last attempt it gives up at once, with no wait that no request follows",
    "4.2/deadline": "never start a wait that would end after started + deadline; a wait that ends exactly at the "
    "deadline is fine; the time the calls took counts",
    "4.2/defaults": "call_with_retries(send, clock=..., rng=...) alone makes at most 4 attempts, base 0.5, cap 8.0, "
    "a 30 s deadline, as the signature says",
    "4.2/gives-up-with-last": "when it gives up it returns the last response, or re-raises the last exception",
    # 4.3 the fallback chain
    "4.3/first-healthy-wins": "rungs are asked in order and the first that answers wins; later rungs are not asked",
    "4.3/every-failure-moves-on": "whatever a rung raises (status error, timeout, refused connection, CircuitOpen, "
    "...) moves on to the next rung",
    "4.3/answer-cached": "the winning reply is remembered in cache[question], whichever rung gave it",
    "4.3/fresh-beats-cache": "a question answered before still goes to the providers first; the cache holds the "
    "newest answer",
    "4.3/cache-rung": "every rung failed and the question was answered before: the remembered reply, rung 'cache'",
    "4.3/degraded": "every rung failed on a new question: DEGRADED_MESSAGE, rung 'degraded', no reply, no error "
    "details",
    "4.3/degraded-not-cached": "a degraded answer is never remembered",
    "4.3/never-raises": "serve never raises: the customer never sees a 500",
    # 4.4 the circuit breaker
    "4.4/closed-allows": "a closed breaker allows every call (allow() is True)",
    "4.4/opens-at-threshold": "failure_threshold consecutive failures open it, one fewer does not",
    "4.4/success-resets": "record_success() resets the count of consecutive failures",
    "4.4/open-refuses": "an open breaker refuses (allow() is False) until cooldown seconds have passed",
    "4.4/half-open-at-cooldown": "from exactly cooldown seconds after it opened, the state reads 'half_open'",
    "4.4/one-probe": "half_open: the first allow() is True, every other one False until the outcome is recorded",
    "4.4/probe-success-closes": "a successful probe closes the breaker, and the next trip probes again",
    "4.4/probe-failure-reopens": "a failed probe opens it again for a fresh, full cooldown, after which it probes "
    "again",
    "4.4/returns-bool": "allow() returns True or False",
    "4.4/defaults": "CircuitBreaker(clock=...) alone opens after 5 consecutive failures and probes 60 s later, as the "
    "signature says",
    # 4.5 the resilient handler
    "4.5/retries-with-own-settings": "call_model goes through call_with_retries with self.max_attempts, "
    "self.deadline, self.rng and self.clock",
    "4.5/breaker-every-attempt": "every request that leaves (each attempt) asks self.breaker.allow() first",
    "4.5/circuit-open-raised": "when allow() is False, CircuitOpen is raised and nothing is sent",
    "4.5/failures-recorded": "a transport error, a 429 or a 5xx is recorded as a failure",
    "4.5/others-success": "any other answer, a 400 included, is recorded as a success",
    "4.5/raise-for-status": "an unsuccessful final response raises (raise_for_status); a success returns the JSON",
    "4.5/read-timeout": "each client's read timeout is at most 10 s: a hung call gives up within 10 s",
    "4.5/two-providers": "the primary (wf-chat) then the backup (backup-chat), each behind its own breaker",
    "4.5/one-cache": "one cache across questions: an earlier answer is served when both providers are down",
    "4.5/never-500": "during an outage no customer gets a 500, and the primary answers again after it",
}

TRANSIENT = ("rate_limit", "server_error", "overloaded", "timeout", "connection_error")
PERMANENT = (
    "bad_request",
    "context_length_exceeded",
    "invalid_api_key",
    "model_not_found",
    "insufficient_quota",
    "request_too_large",
)
_WHY = {
    "rate_limit": "A 429 rate_limit_exceeded clears when the rate window rolls over; the response even says when "
    "(retry-after).",
    "server_error": "A 5xx is the provider failing, not your request: the same request can succeed a moment later.",
    "overloaded": "A 5xx is the provider failing, not your request: the same request can succeed a moment later.",
    "timeout": "Timeouts and refused connections arrive as exceptions (subclasses of httpx.TransportError), not as "
    "responses with a status code.",
    "connection_error": "Timeouts and refused connections arrive as exceptions (subclasses of httpx.TransportError), "
    "not as responses with a status code.",
    "bad_request": "A 4xx other than 408, 409 and 429 is about your request: the same bytes fail the same way every "
    "time.",
    "context_length_exceeded": "The request does not fit the model's context window, and never will: only a "
    "shorter request helps.",
    "invalid_api_key": "A 401 stays a 401 until someone fixes the key; retrying only adds load.",
    "model_not_found": "A 404 model_not_found will not appear by waiting.",
    "insufficient_quota": "Both kinds of 429 share the status code: read the error body's `code`. Waiting does not "
    "put money in the account.",
    "request_too_large": "This 429 has no retry-after and says 'Request too large': the request is bigger than the "
    "whole tokens-per-minute limit, so it can never fit in any minute.",
}
_REQUEST = httpx.Request("POST", "https://api.weekfour.test/v1/chat/completions")


def _response(status: int, code: str | None = None, *, headers: dict[str, str] | None = None, text: str = "") -> Any:
    """An error response as a provider or a gateway sends it: a JSON error body when ``code`` is given."""
    if code is None and text:
        return httpx.Response(status, headers=headers, text=text, request=_REQUEST)
    body = {"error": {"message": text or f"HTTP {status}", "type": "error", "param": None, "code": code}}
    return httpx.Response(status, headers=headers, json=body, request=_REQUEST)


def _without_retry_headers(response: httpx.Response) -> httpx.Response:
    headers = {k: v for k, v in response.headers.items() if not k.startswith("retry-after")}
    headers.pop("content-length", None)
    return httpx.Response(response.status_code, headers=headers, content=response.content, request=_REQUEST)


def _with_retry_after(response: httpx.Response, seconds: int) -> httpx.Response:
    headers = dict(response.headers.items())
    headers.pop("content-length", None)
    headers.update({"retry-after": str(seconds), "retry-after-ms": str(seconds * 1000)})
    return httpx.Response(response.status_code, headers=headers, content=response.content, request=_REQUEST)


def _label(outcome: Any) -> str:
    if isinstance(outcome, httpx.Response):
        try:
            code = outcome.json()["error"]["code"]
        except (KeyError, TypeError, ValueError):
            code = None
        heads = " with retry-after" if "retry-after" in outcome.headers else ""
        return f"HTTP {outcome.status_code}" + (f" ({code})" if code else "") + heads
    return type(outcome).__name__


def _judge(ns: Namespace, cases: list[tuple[str, Any, str]], expected: bool) -> None:
    """Each case is (what, outcome, why): is_retryable must say ``expected``, as a bool, for every one."""
    is_retryable = ns.function("is_retryable")
    ns.rng.shuffle(cases)
    for what, outcome, why in cases:
        got = is_retryable(outcome)
        if got is not True and got is not False:
            raise CheckFailed(
                f"is_retryable should return a bool; for {what} ({_label(outcome)}) it returned {got!r}.",
                expected=expected,
                got=got,
                hint="Every path of the function should end in `return True` or `return False` (or a comparison): "
                "a path that falls off the end returns None.",
            )
        if got != expected:
            raise CheckFailed(
                f"is_retryable got {what} ({_label(outcome)}) wrong.",
                expected=expected,
                got=got,
                hint=why,
            )


def _mocked(ns: Namespace, kind: str) -> tuple[str, Any, str]:
    retry_after = round(ns.rng.uniform(0.5, 9.5), 3) if kind == "rate_limit" else None
    outcome = failure(kind, retry_after=retry_after, seed=ns.rng.randrange(10_000))
    return f"the mocked provider's real answer for `{kind}`", outcome, _WHY[kind]


_TRANSPORT_WHY = (
    "Timeouts and refused connections arrive as exceptions (subclasses of httpx.TransportError), not as responses: "
    "every httpx.TimeoutException and every httpx.NetworkError is the connection's trouble, and the same request can "
    "pass a moment later."
)
_SERVER_WHY = "A 5xx is the provider failing, not your request: every status from 500 to 599 can pass a moment later."
_CLIENT_WHY = (
    "A 4xx other than 408, 409 and 429 is about your request: the same bytes fail the same way every time. "
    "A 499 is not a 5xx."
)
_OTHER_EXC_WHY = (
    "Only timeouts and network errors are worth another try. A protocol or proxy error, a bad URL scheme, or an "
    "exception that is not an httpx.TransportError at all does not go away by sending the same request again."
)


def _retryable_cases(ns: Namespace) -> list[tuple[str, Any, str]]:
    cases = [_mocked(ns, kind) for kind in TRANSIENT]
    for cls in (
        httpx.ReadTimeout,
        httpx.ConnectTimeout,
        httpx.WriteTimeout,
        httpx.PoolTimeout,
        httpx.ConnectError,
        httpx.ReadError,
        httpx.WriteError,
        httpx.CloseError,
    ):
        cases.append((f"an httpx.{cls.__name__}", cls("simulated", request=_REQUEST), _TRANSPORT_WHY))
    cases += [
        ("a 408 Request Timeout", _response(408, "timeout"), "A 408 and a 409 are worth another try (the SDK agrees)."),
        ("a 409 Conflict", _response(409, "conflict"), "A 408 and a 409 are worth another try (the SDK agrees)."),
    ]
    for status in (500, 502, 504, 599):
        cases.append((f"a {status}", _response(status, "server_error"), _SERVER_WHY))
    limited = failure("rate_limit", retry_after=round(ns.rng.uniform(0.5, 9.5), 3))
    cases += [
        (
            "a 429 rate_limit_exceeded without any retry-after header",
            _without_retry_headers(limited),  # type: ignore[arg-type]
            "A 429 rate_limit_exceeded is rate limiting whether or not it says how long to wait.",
        ),
        (
            "a gateway's 429 with a plain-text body and no JSON error",
            _response(429, headers={"retry-after": "2"}, text="Too Many Requests"),
            "A 429 with no error code to read is rate limiting: read the code when there is one, and do not fail "
            "when there is none.",
        ),
        (
            "a 429 'Request too large' that carries a retry-after",
            _with_retry_after(failure("request_too_large"), ns.rng.randint(1, 9)),  # type: ignore[arg-type]
            "Only a 'Request too large' with no retry-after can never pass; with a retry-after the provider says "
            "the request will fit once the window rolls over.",
        ),
    ]
    return cases


def _permanent_cases(ns: Namespace) -> list[tuple[str, Any, str]]:
    cases = [_mocked(ns, kind) for kind in PERMANENT]
    for status, code in ((403, "permission_denied"), (404, None), (422, "unprocessable_entity"), (407, None)):
        cases.append((f"a {status}", _response(status, code or "not_found"), _CLIENT_WHY))
    cases += [
        ("a 410 Gone", _response(410, "gone"), _CLIENT_WHY),
        ("a 499 (client closed request)", _response(499, "client_closed_request"), _CLIENT_WHY),
        (
            "a 429 insufficient_quota that carries a retry-after",
            _with_retry_after(failure("insufficient_quota"), ns.rng.randint(1, 9)),  # type: ignore[arg-type]
            _WHY["insufficient_quota"],
        ),
    ]
    for exc in (
        httpx.RemoteProtocolError("Server disconnected without sending a response.", request=_REQUEST),
        httpx.LocalProtocolError("Illegal header value", request=_REQUEST),
        httpx.ProxyError("407 Proxy Authentication Required", request=_REQUEST),
        httpx.UnsupportedProtocol("Request URL is missing an 'http://' or 'https://' protocol.", request=_REQUEST),
        httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=_REQUEST),
        httpx.DecodingError("Malformed gzip body"),
        ValueError("the answer did not parse"),
    ):
        cases.append((f"an exception {type(exc).__name__}", exc, _OTHER_EXC_WHY))
    return cases


@exercise(
    "4.1",
    points=2,
    title="Classify failures",
    rules=[
        "4.1/transport-retried",
        "4.1/408-409-retried",
        "4.1/every-5xx-retried",
        "4.1/rate-limit-retried",
        "4.1/too-large-never",
        "4.1/returns-bool",
    ],
)
def retries_what_can_pass(ns: Namespace) -> None:
    _judge(ns, _retryable_cases(ns), True)


@exercise(
    "4.1",
    points=2,
    rules=[
        "4.1/client-errors-never",
        "4.1/quota-never",
        "4.1/too-large-never",
        "4.1/other-transport-permanent",
        "4.1/every-5xx-retried",
        "4.1/returns-bool",
    ],
)
def gives_up_on_what_never_passes(ns: Namespace) -> None:
    _judge(ns, _permanent_cases(ns), False)


# --- 4.2 ------------------------------------------------------------------------------------------------------------


def _retry(
    ns: Namespace, script: list[Any], *, rng: random.Random | None = None, latency: float = 0.05, **options: Any
) -> tuple[Any, BaseException | None, ScriptedSend, float]:
    """Run the learner's call_with_retries on a scripted send; return (result, raised, send, elapsed)."""
    call_with_retries = ns.function("call_with_retries")
    clock = SimClock()
    # never start at 0 (code that mixes up "now" and "elapsed" shows); whole seconds keep boundary sums exact
    clock.sleep(float(ns.rng.randrange(1, 3600)))
    send = ScriptedSend(clock, script, latency=latency)
    t0 = clock.now()
    result: Any = None
    raised: BaseException | None = None
    try:
        result = call_with_retries(send, clock=clock, rng=rng or random.Random(ns.rng.random()), **options)
    except httpx.TransportError as exc:
        raised = exc
    return result, raised, send, clock.now() - t0


def _status(result: Any) -> Any:
    return result.status_code if isinstance(result, httpx.Response) else result


def _outcome(result: Any, raised: BaseException | None) -> str:
    return type(raised).__name__ if raised is not None else _label(result)


def _jitter(seed: float, base: float, cap: float, retries: int) -> list[float]:
    """The waits full jitter draws from ``random.Random(seed)``, one per retry."""
    rng = random.Random(seed)
    return [rng.uniform(0, min(cap, base * 2 ** (k - 1))) for k in range(1, retries + 1)]


@exercise(
    "4.2",
    points=2,
    title="Retry with backoff",
    rules=["4.2/success-returned", "4.2/transient-retried", "4.2/full-jitter", "4.2/sim-clock"],
)
def recovers_from_transient_failures(ns: Namespace) -> None:
    base = round(ns.rng.uniform(0.2, 1.0), 2)
    cap = round(base * ns.rng.uniform(2.5, 3.5), 2)  # the 3rd and 4th ceilings hit the cap
    failures = ["overloaded", "server_error", "connection_error", "timeout"]
    ns.rng.shuffle(failures)
    seed = ns.rng.random()
    result, raised, send, _ = _retry(
        ns, [*failures, "ok"], rng=random.Random(seed), max_attempts=6, base=base, cap=cap, deadline=600.0
    )
    if raised is not None or _status(result) != 200:
        raise CheckFailed(
            f"call_with_retries should return the 200 response after {len(failures)} transient failures "
            f"({', '.join(failures)}) with max_attempts=6.",
            expected="the httpx.Response with status 200",
            got=raised if raised is not None else result,
            hint="Retry while the failure is retryable and attempts remain; return the response once it succeeds. "
            "A ConnectError or a ReadTimeout is raised by send(): catch it inside the loop.",
        )
    if len(send.calls) != len(failures) + 1:
        raise CheckFailed(
            "call_with_retries should call send() once per attempt and stop at the first success.",
            expected=len(failures) + 1,
            got=len(send.calls),
        )
    expected = _jitter(seed, base, cap, len(failures))
    for k, (wait, want) in enumerate(zip(send.waits, expected, strict=True), start=1):
        bound = min(cap, base * 2 ** (k - 1))
        if not -1e-9 <= wait <= bound + 1e-6:
            raise CheckFailed(
                f"Before retry {k} (base={base}, cap={cap}, no retry-after) the wait should be a random duration "
                f"between 0 and min(cap, base * 2 ** {k - 1}) = {bound:g} s.",
                expected=f"0 <= wait <= {bound:g}",
                got=round(wait, 4),
                hint="Full jitter: pick uniformly from 0 to the exponential ceiling, with the rng you are given, and "
                "wait with clock.sleep(). The ceiling doubles each retry and stops at cap.",
            )
        if abs(wait - want) > 1e-6:
            raise CheckFailed(
                f"Before retry {k} (base={base}, cap={cap}) the wait should be the rng's next draw "
                f"rng.uniform(0, {bound:g}): the same rng must replay the same waits.",
                expected=round(want, 6),
                got=round(wait, 6),
                hint="Draw exactly once per retry from the `rng` argument (not the random module, not a fixed "
                "fraction), with the ceiling of that retry.",
            )


def _expect_wait(ns: Namespace, script: list[Any], want: float, what: str, hint: str, **options: Any) -> None:
    options = {"max_attempts": 3, "deadline": 600.0, **options}
    result, raised, send, _ = _retry(ns, script, **options)
    if raised is not None or _status(result) != 200 or len(send.calls) != 2:
        raise CheckFailed(
            f"After one retryable failure ({what}), call_with_retries should wait and try once more (and get the 200).",
            expected="2 calls, then the 200 response",
            got=f"{len(send.calls)} call(s), then {_outcome(result, raised)}",
        )
    got = send.waits[0]
    if abs(got - want) > 0.002:
        raise CheckFailed(
            f"After {what} the wait before the next request should be {want:g} s.",
            expected=want,
            got=round(got, 4),
            hint=hint,
        )


_TOLD = (
    "When the provider says how long to wait, wait exactly that long (the headers are retry-after-ms and retry-after); "
    "your own backoff is for when it does not say."
)


@exercise(
    "4.2",
    points=2,
    rules=[
        "4.2/retry-after-ms-first",
        "4.2/retry-after-seconds",
        "4.2/retry-after-over-cap",
        "4.2/retry-after-not-a-number",
        "4.2/sim-clock",
    ],
)
def honours_retry_after(ns: Namespace) -> None:
    wait = round(ns.rng.uniform(1.2, 7.8), 3)
    while wait == int(wait):
        wait = round(ns.rng.uniform(1.2, 7.8), 3)
    result, raised, send, _ = _retry(ns, [("rate_limit", wait), "ok"], max_attempts=3, deadline=60.0)
    if raised is not None or _status(result) != 200 or len(send.calls) != 2:
        raise CheckFailed(
            "After one 429 rate_limit_exceeded, call_with_retries should wait and try once more (and get the 200).",
            expected="2 calls, then the 200 response",
            got=f"{len(send.calls)} call(s), then {_outcome(result, raised)}",
        )
    got = send.waits[0]
    if abs(got - wait) > 0.002:
        hint = (
            "The 429 carries retry-after-ms (exact, in milliseconds) and retry-after (whole seconds, rounded up). "
            "Prefer the precise one."
            if abs(got - math.ceil(wait)) < 0.002
            else _TOLD
        )
        raise CheckFailed(
            f"The 429 asked for a wait of {wait:g} s before the next request.",
            expected=wait,
            got=round(got, 4),
            hint=hint,
        )
    short = round(ns.rng.uniform(0.05, 0.95), 3)
    _expect_wait(
        ns,
        [("rate_limit", short), "ok"],
        short,
        f"a 429 asking for {short:g} s (retry-after-ms {short * 1000:g})",
        "A wait shorter than a second is still the provider's wait: do not round it up, do not impose a minimum.",
    )
    seconds = ns.rng.randint(1, 6)
    busy = _response(503, "overloaded", headers={"retry-after": str(seconds)})
    _expect_wait(
        ns,
        [busy, "ok"],
        float(seconds),
        f"a 503 with `retry-after: {seconds}` and no retry-after-ms",
        "Without retry-after-ms, the wait is retry-after, in seconds, on any response that carries it.",
    )
    cap = round(ns.rng.uniform(4.0, 8.0), 1)
    long = round(cap + ns.rng.uniform(2.0, 10.0), 3)
    _expect_wait(
        ns,
        [("rate_limit", long), "ok"],
        long,
        f"a 429 asking for {long:g} s, with cap={cap:g}",
        "cap bounds your own backoff, not the provider's wait: a shorter wait only earns another 429.",
        cap=cap,
        deadline=120.0,
    )
    base = round(ns.rng.uniform(0.5, 2.0), 2)
    seed = ns.rng.random()
    garbled = _response(503, "overloaded", headers={"retry-after-ms": "soon", "retry-after": str(seconds)})
    _expect_wait(
        ns,
        [garbled, "ok"],
        float(seconds),
        f"a 503 with `retry-after-ms: soon` and `retry-after: {seconds}`",
        "A header that is not a number is ignored: try the next one.",
    )
    dated = _response(503, "overloaded", headers={"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"})
    _expect_wait(
        ns,
        [dated, "ok"],
        _jitter(seed, base, 8.0, 1)[0],
        "a 503 whose retry-after is an HTTP date (not a number of seconds)",
        "A header that is not a number is ignored (try the next one); with none left, use your own backoff "
        "(full jitter from the rng).",
        base=base,
        rng=random.Random(seed),
    )


@exercise("4.2", points=1, rules=["4.2/permanent-stops", "4.2/gives-up-with-last"])
def gives_up_at_once_on_permanent_failures(ns: Namespace) -> None:
    kinds = list(PERMANENT)
    ns.rng.shuffle(kinds)
    for kind in kinds:
        result, raised, send, elapsed = _retry(ns, [kind, "ok"], max_attempts=4, deadline=60.0)
        if len(send.calls) != 1:
            raise CheckFailed(
                f"A `{kind}` failure can never pass on a retry: call_with_retries should send once and give up.",
                expected="1 call",
                got=f"{len(send.calls)} calls",
                hint="Ask is_retryable before you wait.",
            )
        answer = failure(kind)  # a permanent failure is an HTTP answer, never a transport error
        expected = answer.status_code if isinstance(answer, httpx.Response) else None
        if _status(result) != expected:
            raise CheckFailed(
                "When it gives up on an error response, call_with_retries should return that response so the caller "
                "can read it.",
                expected=f"the HTTP {expected} response",
                got=raised if raised is not None else result,
            )
        if elapsed > send.ends[0] - send.calls[0] + 1e-9:
            raise CheckFailed(
                f"After a `{kind}` failure call_with_retries should give up at once, without waiting.",
                expected="no wait",
                got=f"{elapsed - (send.ends[0] - send.calls[0]):.3f} s of waiting",
            )


@exercise(
    "4.2",
    points=2,
    rules=["4.2/max-attempts", "4.2/no-wait-after-last", "4.2/deadline", "4.2/gives-up-with-last", "4.2/defaults"],
)
def bounded_attempts_and_deadline(ns: Namespace) -> None:
    attempts = ns.rng.randint(2, 6)
    result, raised, send, elapsed = _retry(ns, ["overloaded"], max_attempts=attempts, deadline=600.0)
    if len(send.calls) != attempts or _status(result) != 503:
        raise CheckFailed(
            f"Against a provider that answers 503 every time, call_with_retries(max_attempts={attempts}) should send "
            f"exactly {attempts} requests, then return the last 503 response.",
            expected=f"{attempts} calls, then HTTP 503",
            got=f"{len(send.calls)} calls, then {_outcome(result, raised)}",
            hint="max_attempts counts every request, the first one included.",
        )
    idle = elapsed - (send.ends[-1] - send.calls[0])
    if idle > 1e-9:
        raise CheckFailed(
            f"After its last attempt (of {attempts}), call_with_retries should give up at once: a wait that no request "
            "follows only keeps the customer waiting.",
            expected="0 s between the last answer and giving up",
            got=f"{idle:.3f} s",
            hint="Decide whether another attempt will follow before you wait for it.",
        )
    # The boundary, on exact numbers: calls take 0.5 s, each 429 asks for `wait` s, the second wait ends at 1 + 2 wait.
    wait = ns.rng.choice([1.5, 2.0, 2.5, 3.0])
    edge = 1.0 + 2 * wait
    script = [("rate_limit", wait), ("rate_limit", wait), "ok"]
    for deadline, calls, what in (
        (edge - 0.25, 2, "a quarter second before the second wait would end"),
        (edge, 3, "exactly when the second wait ends"),
        (edge + 0.25, 3, "a quarter second after the second wait ends"),
    ):
        result, raised, send, elapsed = _retry(ns, script, latency=0.5, max_attempts=5, deadline=deadline)
        if len(send.calls) != calls:
            raise CheckFailed(
                f"Calls take 0.5 s and two 429s each ask for {wait:g} s; the deadline is {deadline:g} s, "
                f"{what}: call_with_retries should make {calls} calls.",
                expected=f"{calls} calls",
                got=f"{len(send.calls)} calls, done after {elapsed:.2f} s",
                hint="Never start a wait that would end after the deadline; a wait that ends exactly at it is fine. "
                "Compare when it would end (now + wait) with when the call started plus the deadline.",
            )
    wait = round(ns.rng.uniform(4.0, 6.0), 3)
    deadline = round(wait * ns.rng.uniform(2.3, 3.7), 2)
    result, raised, send, elapsed = _retry(ns, [("rate_limit", wait)], max_attempts=20, deadline=deadline)
    at_least = int(deadline // (wait + 0.05))
    # The rule bounds the waits, not the calls: a wait ends where the next call starts (or, after the last call, when
    # the function returns), and the last call may itself end past the deadline.
    last_end = send.ends[-1] - send.calls[0]
    waited_until = elapsed if elapsed > last_end + 1e-9 else send.calls[-1] - send.calls[0]
    if waited_until > deadline + 1e-6 or len(send.calls) < at_least:
        raise CheckFailed(
            f"Every answer is a 429 asking for {wait:g} s and the deadline is {deadline:g} s: call_with_retries "
            "should keep retrying while a wait still ends before the deadline, and never wait past it.",
            expected=f"at least {at_least} calls, no wait ending after {deadline:g} s",
            got=f"{len(send.calls)} calls, the last wait ending at {waited_until:.2f} s",
            hint="Before each wait, compare when it would end with when the call started plus the deadline.",
        )
    result, raised, send, elapsed = _retry(ns, ["timeout"], max_attempts=10, deadline=25.0)
    if not isinstance(raised, httpx.ReadTimeout) or len(send.calls) > 3:
        raise CheckFailed(
            "Every call times out after 10 s and the deadline is 25 s: call_with_retries should stop within the "
            "deadline and re-raise the last timeout so the caller knows what happened.",
            expected="httpx.ReadTimeout raised after at most 3 calls",
            got=f"{len(send.calls)} calls, then {type(raised).__name__ if raised is not None else repr(result)}",
            hint="The deadline counts the time the calls took, not only the waits.",
        )
    _retry_defaults_hold(ns)


_SIGNATURE = "call_with_retries(send, *, clock, rng, max_attempts=4, base=0.5, cap=8.0, deadline=30.0)"


def _retry_defaults_hold(ns: Namespace) -> None:
    """The signature's defaults, one at a time: 4 attempts, full jitter from base 0.5 up to cap 8.0, a 30 s deadline."""
    seed = ns.rng.random()
    result, raised, send, _ = _retry(ns, ["overloaded"], rng=random.Random(seed))
    waits = [round(w, 6) for w in _jitter(seed, 0.5, 8.0, 3)]
    if len(send.calls) != 4 or [round(w, 6) for w in send.waits] != waits:
        raise CheckFailed(
            "Called with only send, clock and rng against a provider that answers 503 every time, call_with_retries "
            f"should use the defaults of {_SIGNATURE}: 4 calls, and full-jitter waits from base 0.5.",
            expected=f"4 calls, waits {waits}",
            got=f"{len(send.calls)} calls, waits {[round(w, 6) for w in send.waits]}",
            hint="Keep the signature's defaults as the exercise states them.",
        )
    seed = ns.rng.random()
    result, raised, send, _ = _retry(ns, ["overloaded"], rng=random.Random(seed), max_attempts=7, deadline=600.0)
    waits = [round(w, 6) for w in _jitter(seed, 0.5, 8.0, 6)]
    if [round(w, 6) for w in send.waits] != waits:
        raise CheckFailed(
            "With max_attempts=7, a 600 s deadline and the default base and cap, the six full-jitter waits should "
            "draw from ceilings 0.5, 1, 2, 4, 8 and 8 s (cap=8.0 by default).",
            expected=waits,
            got=[round(w, 6) for w in send.waits],
            hint="Keep the signature's defaults as the exercise states them.",
        )
    result, raised, send, elapsed = _retry(ns, [("rate_limit", 12.0)], max_attempts=10)
    if len(send.calls) != 3:
        raise CheckFailed(
            "Every answer is a 429 asking for 12 s, with max_attempts=10 and the default deadline of 30 s: "
            "call_with_retries should make 3 calls (a third wait would end after 36 s).",
            expected="3 calls",
            got=f"{len(send.calls)} calls, done after {elapsed:.2f} s",
            hint="Keep the signature's defaults as the exercise states them.",
        )


# --- 4.3 ------------------------------------------------------------------------------------------------------------


def _reply(question: str, answer: str) -> Reply:
    return Reply(question=question, answer=answer, status="shipped", data={"answer": answer, "status": "shipped"})


# Every way a rung can fail: each is tried, none is left to the draw.
ERROR_KINDS = ("503", "429", "400", "timeout", "connect", "circuit", "other")


def _provider_error(kind: str) -> Exception:
    request = _REQUEST
    if kind in ("503", "429", "400"):
        status = int(kind)
        code = {"503": "overloaded", "429": "rate_limit_exceeded", "400": "context_length_exceeded"}[kind]
        response = httpx.Response(status, json={"error": {"message": code, "code": code}}, request=request)
        return httpx.HTTPStatusError(f"Error '{status}'", request=request, response=response)
    if kind == "timeout":
        return httpx.ReadTimeout("The read operation timed out", request=request)
    if kind == "connect":
        return httpx.ConnectError("[Errno 111] Connection refused", request=request)
    if kind == "circuit":
        return CircuitOpen("the circuit for wf-chat is open")
    return RuntimeError("the agent ran out of steps")


_ERROR_NAMES = {
    "503": "an HTTPStatusError (503)",
    "429": "an HTTPStatusError (429)",
    "400": "an HTTPStatusError (400 context_length_exceeded)",
    "timeout": "an httpx.ReadTimeout",
    "connect": "an httpx.ConnectError",
    "circuit": "CircuitOpen",
    "other": "a RuntimeError",
}


class _Rung:
    """A fake agent: answers (a fresh answer each time) or raises a provider error; counts its calls."""

    def __init__(self, rng: random.Random, name: str) -> None:
        self.rng = rng
        self.name = name
        self.up = True
        self.error = "503"
        self.calls = 0
        self.answers: dict[str, str] = {}

    def down(self, error: str | None = None) -> None:
        self.up = False
        self.error = error or self.rng.choice(ERROR_KINDS)

    def __call__(self, question: str) -> Reply:
        self.calls += 1
        if not self.up:
            raise _provider_error(self.error)
        answer = f"[{self.name} #{self.rng.randrange(10**6)}] Your order has shipped."
        self.answers[question] = answer
        return _reply(question, answer)


def _chain(ns: Namespace, names: tuple[str, ...] = ("primary", "backup")) -> tuple[Callable[[str], Any], list[_Rung]]:
    serve = ns.function("serve")
    rungs = [_Rung(ns.rng, name) for name in names]
    cache: dict[str, Any] = {}
    pairs = [(r.name, r) for r in rungs]
    return (lambda q: serve(q, pairs, cache=cache)), rungs


def _question(rng: random.Random, *, besides: str | None = None) -> str:
    """A customer's question; ``besides``: one it must differ from (one in 9,000 draws would repeat it)."""
    while True:
        question = f"Where is my order A{rng.randrange(1000, 9999)}?"
        if question != besides:
            return question


def _serve(handle: Callable[[str], Any], q: str, what: str, expected: str) -> Any:
    return must_not_raise(
        lambda: handle(q),
        f"When {what}, serve should still answer the customer, not raise: the customer never sees a 500.",
        expected=expected,
        hint="Provider failures arrive as different exceptions: status errors, timeouts, refused connections, "
        "an open circuit, and more. Whatever a rung raises, move on.",
    )


def _expect_served(got: Any, rung: str, what: str, answer: str | None = None) -> None:
    if not isinstance(got, Served):
        raise CheckFailed(
            f"serve should return a Served (from weekfour.labs.fallbacks) when {what}.",
            expected=f"Served(answer=..., rung={rung!r})",
            got=got,
        )
    if got.rung != rung or (answer is not None and got.answer != answer):
        raise CheckFailed(
            f"When {what}, the answer should come from the {rung!r} rung.",
            expected=(rung, answer) if answer is not None else rung,
            got=(got.rung, got.answer) if answer is not None else got.rung,
        )
    if got.status != 200:
        raise CheckFailed(f"When {what}, the page should still be a 200.", expected=200, got=got.status)


@exercise(
    "4.3",
    points=2,
    title="Fallback chain",
    rules=["4.3/first-healthy-wins", "4.3/every-failure-moves-on", "4.3/never-raises"],
)
def first_healthy_rung_answers(ns: Namespace) -> None:
    handle, (primary, backup) = _chain(ns)
    q = _question(ns.rng)
    got = _serve(handle, q, "the primary is up", "the primary's answer")
    _expect_served(got, "primary", "the primary is up", primary.answers.get(q))
    if got.reply is None or got.reply.answer != got.answer:
        raise CheckFailed(
            "A real answer carries the agent's reply behind it.", expected="the primary's Reply", got=got.reply
        )
    if backup.calls:
        raise CheckFailed("While the primary answers, the backup should not be asked.", expected=0, got=backup.calls)
    kinds = list(ERROR_KINDS)
    ns.rng.shuffle(kinds)
    for kind in kinds:
        handle, (primary, backup) = _chain(ns)
        primary.down(kind)
        q2 = _question(ns.rng)
        what = f"the primary raises {_ERROR_NAMES[kind]}"
        got = _serve(handle, q2, what, "the backup's answer")
        _expect_served(got, "backup", f"{what} and the backup is up", backup.answers.get(q2))


@exercise("4.3", points=2, rules=["4.3/cache-rung", "4.3/degraded", "4.3/never-raises"])
def cache_then_degraded(ns: Namespace) -> None:
    kinds = list(ERROR_KINDS)
    ns.rng.shuffle(kinds)
    for kind in kinds:
        handle, (primary, backup) = _chain(ns)
        asked = _question(ns.rng)
        earlier = handle(asked)
        primary.down(kind)
        backup.down(ns.rng.choice(ERROR_KINDS))
        what = f"every provider is down ({_ERROR_NAMES[kind]} from the primary)"
        again = _serve(handle, asked, what, "a Served from the cache")
        never = _serve(handle, _question(ns.rng, besides=asked), what, "a Served in degraded mode")
        _expect_served(again, "cache", f"{what} but the question was answered earlier", earlier.answer)
        if again.reply is None or again.reply.answer != earlier.answer:
            raise CheckFailed(
                "An answer from the cache carries the remembered reply behind it.",
                expected="the earlier Reply",
                got=again.reply,
            )
        _expect_served(never, "degraded", f"{what} and the question is new")
        text = never.answer or ""
        leaks = [w for w in ("Traceback", "Error", "error", "503", "timed out", "circuit", "Exception") if w in text]
        if len(text.strip()) < 30 or leaks:
            raise CheckFailed(
                "The degraded answer should be a useful message for a customer: what happened in plain words and "
                "what happens next, with no error details.",
                expected="a sentence or two for the customer",
                got=text,
                hint="Technical details belong in your logs, not in the customer's chat window.",
            )
        message = ns.get("DEGRADED_MESSAGE") if "DEGRADED_MESSAGE" in ns else None
        if isinstance(message, str) and text != message:
            raise CheckFailed(
                "The degraded answer should be DEGRADED_MESSAGE, the same honest message every time.",
                expected=message,
                got=text,
            )
        if never.reply is not None:
            raise CheckFailed("A degraded answer has no agent reply behind it.", expected=None, got=never.reply)


@exercise("4.3", points=1, rules=["4.3/answer-cached", "4.3/fresh-beats-cache", "4.3/degraded-not-cached"])
def cache_is_a_fallback_not_a_shortcut(ns: Namespace) -> None:
    handle, (primary, backup) = _chain(ns)
    q = _question(ns.rng)
    handle(q)
    got = handle(q)
    _expect_served(got, "primary", "the primary is up, even for a question answered before", primary.answers[q])
    primary.down()
    backup.down()
    got = _serve(handle, q, "every provider is down", "the newest answer, from the cache")
    _expect_served(got, "cache", "every provider is down (the cache should hold the newest answer)", primary.answers[q])
    # filled by the backup too
    handle, (primary, backup) = _chain(ns)
    primary.down()
    q = _question(ns.rng)
    handle(q)
    backup.down()
    got = _serve(handle, q, "every provider is down", "the backup's earlier answer, from the cache")
    _expect_served(
        got,
        "cache",
        "every provider is down and the backup answered this question earlier (whichever rung answered, remember it)",
        backup.answers[q],
    )
    # never filled by a degraded answer
    handle, (primary, backup) = _chain(ns)
    primary.down()
    backup.down()
    q = _question(ns.rng)
    _serve(handle, q, "every provider is down", "the degraded answer")
    got = _serve(handle, q, "every provider is down", "the degraded answer")
    _expect_served(got, "degraded", "every provider is down and nothing real was ever answered for this question")


# --- 4.4 ------------------------------------------------------------------------------------------------------------


def _breaker(ns: Namespace) -> tuple[Any, SimClock, int, float]:
    cls = ns.function("CircuitBreaker")
    clock = SimClock()
    clock.sleep(float(ns.rng.randrange(1, 86_400)))  # whole seconds, a cooldown in halves: the boundary is exact
    threshold = ns.rng.randint(2, 7)
    cooldown = ns.rng.randrange(40, 240) / 2
    return cls(clock=clock, failure_threshold=threshold, cooldown=cooldown), clock, threshold, cooldown


def _expect_state(breaker: Any, state: str, allow: bool | None, when: str) -> None:
    got_state = breaker.state
    if got_state != state:
        raise CheckFailed(f"{when}, the breaker's state should be {state!r}.", expected=state, got=got_state)
    if allow is not None:
        got = breaker.allow()
        if got is not True and got is not False:
            raise CheckFailed(
                f"{when}, allow() should return {allow}, a bool.",
                expected=allow,
                got=got,
                hint="Every path of allow() should return True or False: a path that falls off the end returns None.",
            )
        if got != allow:
            raise CheckFailed(
                f"{when}, allow() should return {allow}.",
                expected=allow,
                got=got,
                hint="closed: every call goes; open: none; half_open: exactly one probe.",
            )


def _trip(breaker: Any, threshold: int) -> None:
    for _ in range(threshold):
        breaker.record_failure()


@exercise(
    "4.4",
    points=2,
    title="Circuit breaker",
    rules=[
        "4.4/closed-allows",
        "4.4/opens-at-threshold",
        "4.4/success-resets",
        "4.4/open-refuses",
        "4.4/returns-bool",
        "4.4/defaults",
    ],
)
def opens_after_consecutive_failures(ns: Namespace) -> None:
    breaker, clock, threshold, _ = _breaker(ns)
    _expect_state(breaker, "closed", True, "When new")
    _trip(breaker, threshold - 1)
    _expect_state(breaker, "closed", True, f"After {threshold - 1} failures (threshold {threshold})")
    breaker.record_success()
    _trip(breaker, threshold - 1)
    _expect_state(
        breaker,
        "closed",
        True,
        f"After {threshold - 1} failures, a success, then {threshold - 1} failures again (only consecutive failures "
        "count)",
    )
    breaker.record_failure()
    _expect_state(breaker, "open", False, f"After {threshold} consecutive failures")
    clock.sleep(1.0)
    _expect_state(breaker, "open", False, "One second after opening")
    _defaults_hold(ns)


def _defaults_hold(ns: Namespace) -> None:
    """The signature's defaults: 5 consecutive failures open it, 60 s later it probes."""
    clock = SimClock()
    clock.sleep(float(ns.rng.randrange(1, 86_400)))
    breaker = ns.function("CircuitBreaker")(clock=clock)
    _trip(breaker, 4)
    _expect_state(breaker, "closed", True, "CircuitBreaker(clock=clock) after 4 failures (the default threshold is 5)")
    breaker.record_failure()
    _expect_state(breaker, "open", False, "CircuitBreaker(clock=clock) after 5 consecutive failures")
    clock.sleep(59.5)
    _expect_state(
        breaker, "open", False, "CircuitBreaker(clock=clock), 59.5 s after opening (the default cooldown is 60 s)"
    )
    clock.sleep(0.5)
    _expect_state(breaker, "half_open", True, "CircuitBreaker(clock=clock), 60 s after opening")


@exercise(
    "4.4",
    points=2,
    rules=["4.4/half-open-at-cooldown", "4.4/one-probe", "4.4/probe-success-closes", "4.4/open-refuses"],
)
def probes_after_cooldown(ns: Namespace) -> None:
    breaker, clock, threshold, cooldown = _breaker(ns)
    _trip(breaker, threshold)
    clock.sleep(cooldown - 5.0)
    _expect_state(breaker, "open", False, f"5 s before the {cooldown:g} s cooldown ends")
    clock.sleep(4.5)
    _expect_state(breaker, "open", False, f"Half a second before the {cooldown:g} s cooldown ends")
    clock.sleep(0.5)
    _expect_state(breaker, "half_open", True, f"Exactly {cooldown:g} s after opening (the first call is the probe)")
    for _ in range(3):
        got = breaker.allow()
        if got is not False:
            raise CheckFailed(
                "While the probe is out, allow() should refuse everyone else: a recovering provider does not need "
                "the whole queue at once.",
                expected=False,
                got=got,
            )
    breaker.record_success()
    _expect_state(breaker, "closed", True, "After the probe succeeded")
    if not all(breaker.allow() for _ in range(5)):
        raise CheckFailed("A closed breaker lets every call through.", expected=True, got=False)
    _trip(breaker, threshold - 1)
    _expect_state(
        breaker, "closed", True, f"After a probe closed it, then {threshold - 1} failures (threshold {threshold})"
    )
    breaker.record_failure()
    _expect_state(breaker, "open", False, f"After a probe closed it, then {threshold} consecutive failures")
    clock.sleep(cooldown)
    _expect_state(
        breaker, "half_open", True, "A full cooldown after it opened for the second time (a new probe is due)"
    )


@exercise("4.4", points=1, rules=["4.4/probe-failure-reopens", "4.4/one-probe"])
def failed_probe_reopens_for_a_full_cooldown(ns: Namespace) -> None:
    breaker, clock, threshold, cooldown = _breaker(ns)
    _trip(breaker, threshold)
    clock.sleep(cooldown * 1.5)
    _expect_state(breaker, "half_open", True, "Once the cooldown has passed")
    breaker.record_failure()
    _expect_state(breaker, "open", False, "Right after the probe failed (one failure is enough in half_open)")
    clock.sleep(cooldown - 5.0)
    _expect_state(breaker, "open", False, "5 s before a full cooldown after the failed probe (a fresh cooldown starts)")
    clock.sleep(4.5)
    _expect_state(breaker, "open", False, "Half a second before a full cooldown after the failed probe")
    clock.sleep(0.5)
    _expect_state(breaker, "half_open", True, "Exactly a full cooldown after the failed probe (a new probe is due)")
    got = breaker.allow()
    if got is not False:
        raise CheckFailed(
            "After a failed probe and a fresh cooldown, the new probe is out: allow() should refuse everyone else.",
            expected=False,
            got=got,
        )


# --- 4.5 ------------------------------------------------------------------------------------------------------------


_PIECES = ("build_handler", "GuardedAgent", "serve", "CircuitBreaker", "call_with_retries", "is_retryable")
_last_run: dict[tuple[Any, ...], tuple[Any, float, float]] = {}


def _outage_run(ns: Namespace) -> tuple[Any, float, float]:
    """One outage replay per run seed and learner code (both 4.5 public checks read the same night)."""
    build_handler = ns.function("build_handler")
    key = (ns.seed, *(ns.globals.get(name) for name in _PIECES))
    try:
        cached = _last_run.get(key)
    except TypeError:  # something unhashable bound to one of the names: no caching
        cached = None
    if cached is not None:
        return cached
    rng = random.Random(f"nb04-outage-{ns.seed}")
    start = round(rng.uniform(1.0, 20.0), 2) * 3600.0
    length = rng.randint(20, 35) * 60.0
    kinds: list[FaultKind] = ["overloaded", "server_error", "connection_error"]
    kind = rng.choice(kinds)
    outage = FaultWindow(start, start + length, kind, models=CHAT_FAMILY)
    sb = sandbox(Scenario(name=f"{kind} outage", faults=(outage,)), seed=rng.randrange(1000))
    before, after = start - 600.0, start + length + 900.0
    sb.clock.advance_to(before)
    handler = build_handler(sb)
    n = int((after - before) / 20.0)
    report = run_traffic(
        sb,
        handler,
        n=n,
        start=before,
        end=after,
        seed=rng.randrange(1000),
        mix={"status": 60, "refund": 20, "policy": 20},
        name="yours",
    )
    result = (report, start, start + length)
    try:
        _last_run.clear()
        _last_run[key] = result
    except TypeError:
        pass
    return result


@exercise("4.5", points=2, title="The resilient handler", rules=["4.5/never-500", "4.5/two-providers"])
def users_never_see_a_500(ns: Namespace) -> None:
    report, start, end = _outage_run(ns)
    f = report.frame
    errors = f[f["status"] >= 500]
    if len(errors):
        raise CheckFailed(
            f"During a {int((end - start) / 60)}-minute outage of the primary, {len(errors)} of {len(f)} customers "
            "got a 500.",
            expected=0,
            got=f"{len(errors)} errors, e.g. {errors['error'].iloc[0]}",
            hint="The handler is the last line: every failure must end on a rung (backup, cache, degraded).",
        )
    calm = f[f["t"] < start]
    during = f[(f["t"] >= start + 120) & (f["t"] < end)]
    late = f[f["t"] >= end + 300]
    share = {
        "before the outage, answered by primary": (calm["rung"] == "primary").mean(),
        "during the outage, answered by backup or cache": during["rung"].isin(["backup", "cache"]).mean(),
        "5+ minutes after the outage, answered by primary": (late["rung"] == "primary").mean(),
    }
    for what, value in share.items():
        if value < 0.8:
            raise CheckFailed(
                f"Share of questions {what}: too low.",
                expected=">= 80%",
                got=f"{value:.0%}",
                hint="Primary first, then the backup provider; after the outage the breaker's probe should find the "
                "primary healthy again and close.",
            )


@exercise("4.5", points=1, rules=["4.5/breaker-every-attempt"])
def breaker_spares_the_dead_provider(ns: Namespace) -> None:
    report, start, end = _outage_run(ns)
    log, f = report.primary_log, report.frame
    hits = int(((log["t_start"] >= start) & (log["t_start"] < end)).sum())
    asked = int(((f["t"] >= start) & (f["t"] < end)).sum())
    if hits > 0.75 * asked:
        raise CheckFailed(
            f"During a {int((end - start) / 60)}-minute outage, {asked} questions came in and the dead primary "
            f"received {hits} requests.",
            expected=f"at most {int(0.75 * asked)} (an open breaker sends nothing; a probe once per cooldown)",
            got=hits,
            hint="Every request that leaves asks the breaker first (retries too), and every outcome is recorded.",
        )


class _SpyBreaker:
    """A breaker that says what it is told and writes down every question and every outcome it hears of."""

    def __init__(self, events: list[str], allow: list[bool] | None = None) -> None:
        self.events = events
        self.answers = list(allow or [])

    def allow(self) -> bool:
        self.events.append("allow")
        return self.answers.pop(0) if self.answers else True

    def record_success(self) -> None:
        self.events.append("success")

    def record_failure(self) -> None:
        self.events.append("failure")

    @property
    def state(self) -> str:
        return "closed"


_COMPLETION = {
    "id": "chatcmpl-check",
    "object": "chat.completion",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}],
}


def _scripted_response(item: Any, request: httpx.Request) -> httpx.Response:
    if isinstance(item, BaseException):
        raise item
    if item == 200:
        return httpx.Response(200, json=_COMPLETION, request=request)
    code = {429: "rate_limit_exceeded", 400: "invalid_value"}.get(item, "server_error" if item >= 500 else "error")
    headers = {"retry-after-ms": "250", "retry-after": "1"} if item == 429 else None
    return httpx.Response(item, headers=headers, json={"error": {"message": code, "code": code}}, request=request)


def _guarded(
    ns: Namespace, script: list[Any], *, allow: list[bool] | None = None, **options: Any
) -> tuple[Any, BaseException | None, list[str], SimClock]:
    """Run the learner's GuardedAgent.call_model over a scripted transport and a spy breaker."""
    cls = ns.function("GuardedAgent")
    sb = sandbox(seed=ns.rng.randrange(1000))
    events: list[str] = []
    items = list(script)

    def transport(request: httpx.Request) -> httpx.Response:
        item = items.pop(0) if len(items) > 1 else items[0]
        events.append(f"send {item if isinstance(item, int) else type(item).__name__}")
        return _scripted_response(item, request)

    client = httpx.Client(transport=httpx.MockTransport(transport), base_url="https://api.weekfour.test/v1")
    options = {"max_attempts": 3, "deadline": 20.0, "rng": random.Random(ns.rng.random()), **options}
    agent = cls(
        client,
        breaker=_SpyBreaker(events, allow),
        world=sb.world,
        backoffice=sb.backoffice,
        clock=sb.clock,
        catalog=sb.catalog,
        **options,
    )
    result: Any = None
    raised: BaseException | None = None
    try:
        result = agent.call_model([{"role": "user", "content": "Where is my order A1042?"}])
    except (httpx.HTTPError, CircuitOpen) as exc:
        raised = exc
    return result, raised, events, sb.clock


def _expect_events(events: list[str], want: list[str], what: str, hint: str) -> None:
    if events != want:
        raise CheckFailed(
            f"{what}: the breaker and the provider should see these events, in this order.",
            expected=want,
            got=events,
            hint=hint,
        )


_EVENTS_HINT = (
    "Inside send(): ask allow() first (raise CircuitOpen when it says no), post, then record the outcome: a transport "
    "error, a 429 or a 5xx is a failure; anything else, a 400 included, is a success."
)


@exercise(
    "4.5",
    points=1,
    rules=[
        "4.5/breaker-every-attempt",
        "4.5/circuit-open-raised",
        "4.5/failures-recorded",
        "4.5/others-success",
        "4.5/raise-for-status",
        "4.5/retries-with-own-settings",
    ],
)
def call_model_guards_every_attempt(ns: Namespace) -> None:
    failures: list[Any] = [
        httpx.ConnectError("refused", request=_REQUEST),
        httpx.ReadTimeout("timed out", request=_REQUEST),
        429,
        500,
        502,
        503,
        504,
    ]
    ns.rng.shuffle(failures)
    script = [*failures, 200]
    result, raised, events, _ = _guarded(ns, script, max_attempts=len(script), deadline=600.0)
    sent = sum(e.startswith("send") for e in events)
    if sent != len(script):
        raise CheckFailed(
            f"{len(failures)} transient failures, then a 200, and the agent was built with max_attempts={len(script)}: "
            f"call_model should send {len(script)} requests and return the 200's JSON.",
            expected=f"{len(script)} requests",
            got=f"{sent} requests, then {type(raised).__name__ if raised is not None else 'a result'}",
            hint="Pass the agent's own settings to call_with_retries: self.max_attempts, self.deadline, self.rng, "
            "self.clock.",
        )
    want = []
    for item in script:
        name = item if isinstance(item, int) else type(item).__name__
        want += ["allow", f"send {name}", "success" if item == 200 else "failure"]
    _expect_events(
        events, want, f"{len(failures)} transient failures, then a 200 (max_attempts={len(script)})", _EVENTS_HINT
    )
    if raised is not None or result != _COMPLETION:
        raise CheckFailed(
            "After the retries, call_model should return the successful response's JSON.",
            expected=_COMPLETION,
            got=raised if raised is not None else result,
        )
    for status in (400, 401, 404, 422, 499):
        result, raised, events, _ = _guarded(ns, [status, 200])
        _expect_events(events, ["allow", f"send {status}", "success"], f"A {status} (not retryable)", _EVENTS_HINT)
        if not isinstance(raised, httpx.HTTPStatusError):
            raise CheckFailed(
                f"After a final {status}, call_model should raise (like the original, raise_for_status()), so the "
                "fallback chain moves on.",
                expected="httpx.HTTPStatusError",
                got=raised if raised is not None else result,
            )
    result, raised, events, _ = _guarded(ns, [503], allow=[True, False])
    _expect_events(
        events,
        ["allow", "send 503", "failure", "allow"],
        "A 503, then the breaker refuses the retry",
        "Ask the breaker before every attempt, the retries included; when it refuses, send nothing.",
    )
    if not isinstance(raised, CircuitOpen):
        raise CheckFailed(
            "When the breaker refuses, call_model should raise CircuitOpen (the fallback chain moves on).",
            expected="CircuitOpen",
            got=raised if raised is not None else result,
        )
    attempts = ns.rng.randint(2, 5)
    result, raised, events, _ = _guarded(
        ns, [httpx.ConnectError("refused", request=_REQUEST)], max_attempts=attempts, deadline=600.0
    )
    sent = sum(e.startswith("send") for e in events)
    if sent != attempts or not isinstance(raised, httpx.ConnectError):
        raise CheckFailed(
            f"Every attempt is refused and the agent's max_attempts is {attempts}: call_model should send {attempts} "
            "requests (self.max_attempts) and then re-raise the ConnectError.",
            expected=f"{attempts} requests, then httpx.ConnectError",
            got=f"{sent} requests, then {type(raised).__name__ if raised is not None else repr(result)}",
            hint="Pass the agent's own settings to call_with_retries: self.max_attempts, self.deadline, self.rng, "
            "self.clock.",
        )
    result, raised, events, _ = _guarded(ns, [503], max_attempts=attempts, deadline=600.0)
    if not isinstance(raised, httpx.HTTPStatusError):
        raise CheckFailed(
            f"The provider answers 503 {attempts} times: once the retries give up, call_model should raise.",
            expected="httpx.HTTPStatusError",
            got=raised if raised is not None else result,
        )
    result, raised, events, clock = _guarded(ns, [429], max_attempts=10, deadline=0.6)
    sent = sum(e.startswith("send") for e in events)
    if sent != 3:
        raise CheckFailed(
            "Every answer is a 429 asking for 0.25 s and the agent's deadline is 0.6 s: call_model should send 3 "
            "requests (two waits fit in the deadline, a third does not).",
            expected=3,
            got=sent,
            hint="Pass self.deadline to call_with_retries, and wait on self.clock.",
        )
    seed = ns.rng.random()
    base_waits = _jitter(seed, 0.5, 8.0, 2)  # the sandbox clock starts at 0 and the scripted calls take no time
    result, raised, events, clock = _guarded(ns, [503, 503, 200], rng=random.Random(seed), deadline=600.0)
    if abs(clock.now() - sum(base_waits)) > 1e-6:
        raise CheckFailed(
            "Two 503s and a 200, with the agent's rng seeded: the waits should be the jitter drawn from self.rng, "
            "slept on self.clock.",
            expected=round(sum(base_waits), 6),
            got=round(clock.now(), 6),
            hint="Pass self.rng and self.clock to call_with_retries.",
        )


def _first_question(sb: Any, rng: random.Random) -> str:
    return sb.questions(1, seed=rng.randrange(1000), mix={"status": 1})[0].text


@exercise("4.5", points=1, rules=["4.5/read-timeout", "4.5/one-cache", "4.5/two-providers"])
def handler_wiring(ns: Namespace) -> None:
    build_handler = ns.function("build_handler")
    hung = Scenario(name="hung primary", faults=(FaultWindow(0.0, math.inf, "timeout", models=CHAT_FAMILY),))
    sb = sandbox(hung, seed=ns.rng.randrange(1000))
    handler = build_handler(sb)
    served = handler(_first_question(sb, ns.rng))
    timed_out = [e.latency_s for e in sb.provider.log if e.status == "timeout"]
    if not timed_out or max(timed_out) > 10.0 + 1e-9:
        raise CheckFailed(
            "The primary hangs on every request: each should give up at the client's read timeout, at most 10 s.",
            expected="every hung request given up within 10 s",
            got=f"hung requests given up after {max(timed_out, default=0):g} s",
            hint="Pass timeout=httpx.Timeout(...) to sb.client(...) and sb.backup_client(...); without one a hung "
            "call holds the page for minutes.",
        )
    if not isinstance(served, Served) or served.rung != "backup":
        raise CheckFailed(
            "While the primary hangs, the backup provider (model backup-chat) should answer.",
            expected="rung 'backup'",
            got=served.rung if isinstance(served, Served) else served,
        )
    backup_models = {e.model for e in sb.backup.log}
    if backup_models != {"backup-chat"}:
        raise CheckFailed(
            "The backup agent should ask for the backup provider's model.",
            expected={"backup-chat"},
            got=backup_models,
        )
    start = 3600.0 + ns.rng.randrange(0, 3600)
    both = Scenario(
        name="both down",
        faults=(
            FaultWindow(start, math.inf, "overloaded", models=CHAT_FAMILY),
            FaultWindow(start, math.inf, "connection_error", models=BACKUP_MODELS),
        ),
    )
    sb = sandbox(both, seed=ns.rng.randrange(1000))
    handler = build_handler(sb)
    asked, new = sb.questions(2, seed=ns.rng.randrange(1000), mix={"status": 1})
    earlier = handler(asked.text)
    sb.clock.advance_to(start + 60.0)
    again = handler(asked.text)
    fresh = handler(new.text)
    got = [getattr(s, "rung", s) for s in (earlier, again, fresh)]
    if got != ["primary", "cache", "degraded"]:
        raise CheckFailed(
            "A question answered at night by the primary, then both providers down: the same question should come "
            "from the cache, a new one in degraded mode.",
            expected=["primary", "cache", "degraded"],
            got=got,
            hint="One cache for the whole handler, shared by every question (not a new dict per call).",
        )
