"""The mocked provider: ``httpx.Request -> httpx.Response``, wire-faithful to the Chat Completions API.

One request goes through these steps; the first that objects answers::

    route (POST {base}/chat/completions, GET {base}/models[/{id}])   404 Invalid URL
    auth (Authorization: Bearer <api_key>)                           401 invalid_api_key
    parse + validate the body                                        400 invalid_request_error
    fault windows (by simulated time and model, seeded draw)         429/500/503, ReadTimeout, ConnectError
    resolve the model (alias -> snapshot at this simulated second)   404 model_not_found
    snapshot quirks, completion ceiling, context window              400 unsupported_parameter / context_length_exceeded
    rate limits (rpm/tpm over the last simulated minute)             429 rate_limit_exceeded
    the ChatModel answers -> ceiling/stop applied -> JSON or SSE     200

Every step is computed at the request's start moment; the simulated clock then advances by the latency (sync) or
the coroutine waits for it on the virtual loop (async), so concurrent async calls overlap as they would in reality.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

import httpx
import respx

from weekfour.catalog import Catalog, ModelNotFound, default_catalog
from weekfour.clock import SimClock
from weekfour.provider._errors import (
    ApiError,
    context_length_exceeded,
    insufficient_quota,
    invalid_api_key,
    invalid_url,
    max_tokens_too_large,
    model_not_found,
    overloaded,
    server_error,
    unsupported_max_tokens,
)
from weekfour.provider._limits import RateLimiter, retry_headers
from weekfour.provider._log import LogEntry, RequestLog
from weekfour.provider._render import Shaped, completion_body, shape_turn, sse_chunks
from weekfour.provider._sse import ClockedStream
from weekfour.provider._wire import choices_wanted, parse_chat_request
from weekfour.tokens import count_message_tokens
from weekfour.types import ChatModel, FaultWindow, LatencyProfile, ModelSpec, TurnContext

if TYPE_CHECKING:
    # By name: inside the classes below, ``openai`` is the method that builds the SDK client, not the module.
    from openai import AsyncOpenAI, OpenAI

__all__ = ["BASE_URL", "MockProvider"]

BASE_URL = "https://api.weekfour.test/v1"  # .test: a request that escapes the mock can never reach a real host
TAGS_HEADER = "x-weekfour-tags"
ERROR_LATENCY_S = 0.04  # errors come back fast
CONNECT_ERROR_LATENCY_S = 0.01
NO_READ_TIMEOUT_HANG_S = 600.0  # a hung call with no client read timeout: give up after the SDK's default
DEFAULT_FAULT_RETRY_AFTER_S = 1.0
# The budget every account has when no limit is configured (the x-ratelimit-* headers report it on every answer):
# generous enough that the course's own traffic never meets it, as a paid tier's limits are for one shop.
DEFAULT_RPM = 30_000
DEFAULT_TPM = 150_000_000

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_IN_ASYNC: contextvars.ContextVar[bool] = contextvars.ContextVar("weekfour_provider_async", default=False)


def _b62(rng: random.Random, width: int) -> str:
    return "".join(rng.choices(_B62, k=width))


class _AnswerFields(TypedDict):
    """What a JSON answer and its streamed form share (the keyword arguments of both renderers)."""

    completion_id: str
    created: int
    snapshot: str
    fingerprint: str
    shaped: Shaped | list[Shaped]
    prompt_tokens: int
    logprobs: bool
    top_logprobs: int


@dataclass(slots=True)
class _Outcome:
    """What a request turns into: wait ``delay`` simulated seconds, then return ``response`` or raise ``error``."""

    delay: float
    response: httpx.Response | None = None
    error: Exception | None = None


class _NetworkFault(Exception):
    def __init__(self, outcome: _Outcome) -> None:
        self.outcome = outcome


class _ProviderRouter(respx.MockRouter):
    """A respx router that lets its side effects know they serve an async client."""

    async def aresolve(self, request: httpx.Request) -> Any:
        token = _IN_ASYNC.set(True)
        try:
            return await super().aresolve(request)
        finally:
            _IN_ASYNC.reset(token)


class MockProvider:
    """A Chat Completions provider in a box: a ChatModel behind the real wire format, errors and timing."""

    def __init__(
        self,
        model: ChatModel,
        *,
        clock: SimClock | None = None,
        catalog: Catalog | None = None,
        faults: Sequence[FaultWindow] = (),
        latency: LatencyProfile | None = None,
        seed: int = 0,
        base_url: str = BASE_URL,
        api_key: str = "sk-weekfour-test",
        rpm_limit: int | None = None,
        tpm_limit: int | None = None,
    ) -> None:
        """``rpm_limit`` / ``tpm_limit``: the account's limits per minute (None: the default budget,
        ``DEFAULT_RPM`` / ``DEFAULT_TPM``); either way every answer carries its ``x-ratelimit-*`` headers."""
        self.model = model
        self.clock = clock if clock is not None else SimClock()
        self.catalog = catalog if catalog is not None else default_catalog()
        self.faults: list[FaultWindow] = list(faults)
        self.latency = latency if latency is not None else LatencyProfile()
        self.seed = seed
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.rpm_limit = rpm_limit
        self.tpm_limit = tpm_limit
        self.log = RequestLog()
        # Called with every request before it is served, by every client (whenever it was made): a hook may raise to
        # stop the request, as a web server's worker timeout or a test's own guard would.
        self.before_request: list[Callable[[httpx.Request], None]] = []
        url = httpx.URL(self.base_url)
        self._host = url.host
        self._prefix = url.path.rstrip("/")
        self._auth = f"Bearer {api_key}"
        self._rng = random.Random(seed)  # ids and latency, drawn in request order
        self._fault_rng = random.Random(f"faults:{seed}")
        self._limiters: dict[str, RateLimiter] = {}
        self._fingerprints: dict[str, str] = {}
        self._n = 0

    def __repr__(self) -> str:
        return f"MockProvider(base_url={self.base_url!r}, requests={len(self.log)}, now={self.clock.now():.3f}s)"

    # -- the core ------------------------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request; the simulated clock advances by the call's latency before it returns (or raises)."""
        for hook in self.before_request:
            hook(request)
        outcome = self._process(request)
        if outcome.delay:
            self.clock.sleep(outcome.delay)
        if outcome.error is not None:
            raise outcome.error
        assert outcome.response is not None
        return outcome.response

    async def ahandle(self, request: httpx.Request) -> httpx.Response:
        """Like :meth:`handle`, but waits on the virtual event loop, so concurrent calls overlap."""
        for hook in self.before_request:
            hook(request)
        outcome = self._process(request)
        if outcome.delay:
            await self.clock.asleep(outcome.delay)
        if outcome.error is not None:
            raise outcome.error
        assert outcome.response is not None
        return outcome.response

    # -- mounting ------------------------------------------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        """A sync transport: ``httpx.Client(transport=provider.transport())``."""
        return httpx.MockTransport(self.handle)

    def async_transport(self) -> httpx.MockTransport:
        """An async transport: ``httpx.AsyncClient(transport=provider.async_transport())``."""
        return httpx.MockTransport(self.ahandle)

    def router(self) -> respx.MockRouter:
        """A strict respx router: the API's routes go to the provider, any other request fails loudly.

        Use it as ``with provider.router(): httpx.post(...)`` or inject ``httpx.MockTransport(router.handler)``.
        """
        router = _ProviderRouter(assert_all_mocked=True, assert_all_called=False)
        base = self.base_url
        router.post(url=f"{base}/chat/completions", name="chat_completions").mock(side_effect=self._route_effect)
        router.get(url=f"{base}/models", name="models").mock(side_effect=self._route_effect)
        router.get(url__regex=rf"^{_re_escape(base)}/models/[^/?]+$", name="model").mock(side_effect=self._route_effect)
        return router

    def _route_effect(self, request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        return self.ahandle(request) if _IN_ASYNC.get() else self.handle(request)

    def _client_kwargs(self, transport: httpx.BaseTransport | httpx.AsyncBaseTransport, kwargs: Any) -> Any:
        headers = {"Authorization": self._auth, **dict(kwargs.pop("headers", None) or {})}
        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("transport", transport)
        return {"headers": headers, **kwargs}

    def client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` on the provider: base URL, bearer key and transport set; kwargs override."""
        return httpx.Client(**self._client_kwargs(self.transport(), kwargs))

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` on the provider (waits run on the virtual loop inside ``clock.run``)."""
        return httpx.AsyncClient(**self._client_kwargs(self.async_transport(), kwargs))

    def openai(self, **kwargs: Any) -> OpenAI:
        """The official SDK's client, wired to the provider. Its retry waits go through the simulated clock.

        Defaults: ``api_key`` and ``base_url`` of the provider, ``max_retries=2`` (the SDK's own), ``http_client``
        from :meth:`client`. Pass ``max_retries=0`` when your code owns the retry loop.
        """
        from weekfour.provider._sdk import SimOpenAI

        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("max_retries", 2)
        if "http_client" not in kwargs:
            kwargs["http_client"] = self.client()
        return SimOpenAI(sim_clock=self.clock, sim_seed=self.seed, **kwargs)

    def async_openai(self, **kwargs: Any) -> AsyncOpenAI:
        """The SDK's async client, wired to the provider; retry waits go through the simulated clock."""
        from weekfour.provider._sdk import SimAsyncOpenAI

        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("max_retries", 2)
        if "http_client" not in kwargs:
            kwargs["http_client"] = self.async_client()
        return SimAsyncOpenAI(sim_clock=self.clock, sim_seed=self.seed, **kwargs)

    # -- conveniences for scenarios and notebooks--------------------------------------------------------------
    def add_fault(self, fault: FaultWindow) -> None:
        """Schedule one more fault window."""
        self.faults.append(fault)

    # -- the pipeline --------------------------------------------------------------------------------------------
    def _process(self, request: httpx.Request) -> _Outcome:
        now = self.clock.now()
        self._n += 1
        wanted: dict[str, str | None] = {"authorization": None, "x-stainless-retry-count": None, TAGS_HEADER: None}
        for key, value in request.headers.multi_items():  # one pass: httpx header lookups are linear scans
            if key in wanted:
                wanted[key] = value
        raw_tags = wanted[TAGS_HEADER]
        entry = LogEntry(
            request_id=f"req_{self._rng.getrandbits(128):032x}",
            t_start=now,
            t_end=now,
            latency_s=0.0,
            model=None,
            snapshot=None,
            status=200,
            attempt=_to_int(wanted["x-stainless-retry-count"]),
            tags=tuple(t.strip() for t in raw_tags.split(",") if t.strip()) if raw_tags else (),
            path=request.url.path,
        )
        try:
            outcome = self._serve(request, entry, now, wanted["authorization"])
        except ApiError as err:
            delay = ERROR_LATENCY_S * self._jitter()
            entry.status = err.status
            entry.error_code = err.log_code
            body = json.dumps(err.body()).encode()
            outcome = _Outcome(delay, self._response(err.status, body, entry.request_id, delay, err.headers))
        except _NetworkFault as fault:
            outcome = fault.outcome
        entry.t_end = now + (entry.latency_s if entry.latency_s else outcome.delay)
        entry.latency_s = entry.t_end - now
        if entry.ttft_s is None and entry.status == 200:
            entry.ttft_s = entry.latency_s
        self.log.append(entry)
        return outcome

    def _serve(self, request: httpx.Request, entry: LogEntry, now: float, auth: str | None) -> _Outcome:
        url = request.url
        path = url.path
        if url.host != self._host or not path.startswith(self._prefix):
            raise invalid_url(request.method, path)
        sub = path[len(self._prefix) :]
        if auth != self._auth:
            raise invalid_api_key(_bearer(auth))
        if sub == "/chat/completions" and request.method == "POST":
            return self._chat(request, entry, now)
        if request.method == "GET" and (sub == "/models" or sub.startswith("/models/")):
            return self._models(sub, entry, now)
        raise invalid_url(request.method, path)

    def _models(self, sub: str, entry: LogEntry, now: float) -> _Outcome:
        created = int(self.clock.time())
        names = [*self.catalog.snapshots(), *self.catalog.aliases(now)]
        objects = {n: {"id": n, "object": "model", "created": created, "owned_by": "weekfour"} for n in names}
        if sub == "/models":
            body: dict[str, Any] = {"object": "list", "data": list(objects.values())}
        else:
            name = sub[len("/models/") :]
            if name not in objects:
                raise model_not_found(name)
            body = objects[name]
        delay = ERROR_LATENCY_S
        return _Outcome(delay, self._response(200, json.dumps(body).encode(), entry.request_id, delay))

    def _chat(self, request: httpx.Request, entry: LogEntry, now: float) -> _Outcome:
        req = parse_chat_request(_content(request))
        entry.model = req.model
        entry.stream = req.stream
        spec = self._resolve(req.model, now)
        self._apply_faults(request, req.model, spec, entry, now)
        if spec is None:
            raise model_not_found(req.model)
        entry.snapshot = spec.id

        if req.max_tokens is not None and spec.rejects_max_tokens:
            raise unsupported_max_tokens()
        if req.logprobs and not spec.supports_logprobs:
            raise ApiError(400, "You are not allowed to request logprobs from this model.", param="logprobs")
        explicit = req.completion_ceiling
        if explicit is not None and explicit > spec.max_output_tokens:
            param = "max_completion_tokens" if req.max_completion_tokens is not None else "max_tokens"
            raise max_tokens_too_large(param, explicit, spec.max_output_tokens)
        prompt_tokens = count_message_tokens(req.messages, req.tools)
        window = spec.context_window
        if explicit is None:
            if prompt_tokens >= window:
                raise context_length_exceeded(window, prompt_tokens, None)
            ceiling = min(spec.max_output_tokens, window - prompt_tokens)
        else:
            if prompt_tokens + explicit > window:
                raise context_length_exceeded(window, prompt_tokens, explicit)
            ceiling = explicit

        limiter = self._limiters.get(spec.id)
        if limiter is None:
            rpm = self.rpm_limit if self.rpm_limit is not None else DEFAULT_RPM
            tpm = self.tpm_limit if self.tpm_limit is not None else DEFAULT_TPM
            limiter = self._limiters[spec.id] = RateLimiter(rpm, tpm)
        limiter.admit(now, prompt_tokens + (explicit or 0), spec.id)
        limit_headers = limiter.headers(now)

        # n choices: each one sample of the model (the first draws what a single answer would), billed as the API
        # bills them: the prompt once, the completion tokens of every choice.
        shaped = []
        for index in range(choices_wanted(req)):
            key = f"{self.seed}:{req.seed}:{self._n}" + (f":{index}" if index else "")
            turn = self.model.respond(req, TurnContext(now=now, spec=spec, rng=random.Random(key)))
            shaped.append(shape_turn(turn, ceiling, req.stop))
        completion_tokens = sum(s.completion_tokens for s in shaped)
        longest = max(s.completion_tokens for s in shaped)

        entry.prompt_tokens = prompt_tokens
        entry.completion_tokens = completion_tokens
        entry.finish_reason = shaped[0].finish_reason
        entry.cost_usd = (
            prompt_tokens * spec.usd_per_1m_input + completion_tokens * spec.usd_per_1m_output
        ) / 1_000_000

        m = self._jitter()
        ttft = self.latency.ttft * m
        per_token = self.latency.per_output_token * m
        read_timeout = _read_timeout(request)
        common: _AnswerFields = {
            "completion_id": "chatcmpl-" + _b62(self._rng, 29),
            "created": int(self.clock.time()),
            "snapshot": spec.id,
            "fingerprint": self._fingerprint(spec.id),
            "shaped": shaped,
            "prompt_tokens": prompt_tokens,
            "logprobs": req.logprobs,
            "top_logprobs": req.top_logprobs or 0,
        }

        if not req.stream:
            total = ttft + per_token * longest  # the choices are written side by side
            if read_timeout is not None and total > read_timeout:
                # The server finishes (and bills) the answer; the client stopped listening at its read timeout.
                return self._timed_out(request, entry, read_timeout)
            entry.ttft_s = total
            body = json.dumps(completion_body(**common), separators=(",", ":")).encode()
            return _Outcome(total, self._response(200, body, entry.request_id, total, limit_headers))

        if read_timeout is not None and ttft > read_timeout:
            return self._timed_out(request, entry, read_timeout)
        chunks = sse_chunks(**common, include_usage=req.include_usage, per_token_s=per_token)
        times: list[float] = []
        t = ttft
        for delay, _ in chunks:
            t += delay
            times.append(t)
        entry.ttft_s = ttft
        entry.chunk_times = tuple(times)
        entry.latency_s = t
        headers = {
            "content-type": "text/event-stream; charset=utf-8",
            "x-request-id": entry.request_id,
            "openai-processing-ms": str(round(ttft * 1000)),
            "openai-version": "2020-10-01",
            "openai-organization": "org-weekfour",
            **limit_headers,
        }
        response = httpx.Response(200, headers=headers, stream=ClockedStream(self.clock, chunks))
        return _Outcome(ttft, response)

    def _resolve(self, name: str, now: float) -> ModelSpec | None:
        try:
            return self.catalog.resolve(name, now)
        except ModelNotFound:
            return None

    def _apply_faults(
        self, request: httpx.Request, sent: str, spec: ModelSpec | None, entry: LogEntry, now: float
    ) -> None:
        for fault in self.faults:
            if not fault.start <= now < fault.end:
                continue
            if fault.models and not self._fault_hits(fault.models, sent, spec, now):
                continue
            if fault.probability < 1.0 and self._fault_rng.random() >= fault.probability:
                continue
            self._raise_fault(fault, request, entry, now)

    def _fault_hits(self, models: tuple[str, ...], sent: str, spec: ModelSpec | None, now: float) -> bool:
        """A window names aliases or snapshots; it hits the request if any of them means the answering snapshot."""
        if sent in models:
            return True
        if spec is None:
            return False
        return any(m == spec.id or getattr(self._resolve(m, now), "id", None) == spec.id for m in models)

    def _raise_fault(self, fault: FaultWindow, request: httpx.Request, entry: LogEntry, now: float) -> None:
        kind = fault.kind
        if kind == "rate_limit":
            wait = fault.retry_after if fault.retry_after is not None else DEFAULT_FAULT_RETRY_AFTER_S
            rpm = self.rpm_limit or DEFAULT_RPM
            tpm = self.tpm_limit or DEFAULT_TPM
            err = ApiError(
                429,
                f"Rate limit reached for {entry.model} in organization org-weekfour on requests per min (RPM): "
                f"Limit {rpm}, Used {rpm}, Requested 1. Please try again in "
                f"{wait:g}s. Visit https://platform.openai.com/account/rate-limits to learn more.",
                type="requests",
                code="rate_limit_exceeded",
            )
            err.headers.update(
                {
                    "x-ratelimit-limit-requests": str(rpm),
                    "x-ratelimit-remaining-requests": "0",
                    "x-ratelimit-reset-requests": f"{wait:g}s",
                    "x-ratelimit-limit-tokens": str(tpm),
                    "x-ratelimit-remaining-tokens": str(tpm),
                    "x-ratelimit-reset-tokens": "0s",
                    **retry_headers(wait),
                }
            )
            raise err
        if kind == "insufficient_quota":
            raise insufficient_quota()
        if kind == "server_error":
            raise server_error()
        if kind == "overloaded":
            raise overloaded()
        if kind == "timeout":
            read = _read_timeout(request)
            raise _NetworkFault(self._timed_out(request, entry, read if read is not None else NO_READ_TIMEOUT_HANG_S))
        if kind == "connection_error":
            entry.status = "connection_error"
            error = httpx.ConnectError(
                f"[Errno 111] Connection refused: {self._host} (a simulated outage)", request=request
            )
            raise _NetworkFault(_Outcome(CONNECT_ERROR_LATENCY_S, error=error))
        raise ValueError(f"unknown fault kind {kind!r}; use one of weekfour.types.FaultKind")

    def _timed_out(self, request: httpx.Request, entry: LogEntry, after: float) -> _Outcome:
        entry.status = "timeout"
        entry.latency_s = after
        entry.ttft_s = None
        error = httpx.ReadTimeout(f"The read operation timed out (after {after:g} simulated s)", request=request)
        return _Outcome(after, error=error)

    def _jitter(self) -> float:
        sigma = self.latency.jitter
        if sigma <= 0:
            return 1.0
        return self._rng.lognormvariate(-sigma * sigma / 2, sigma)

    def _fingerprint(self, snapshot: str) -> str:
        fp = self._fingerprints.get(snapshot)
        if fp is None:
            fp = self._fingerprints[snapshot] = "fp_" + hashlib.sha1(snapshot.encode()).hexdigest()[:10]
        return fp

    def _response(
        self, status: int, body: bytes, request_id: str, delay: float, extra: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = {
            "content-type": "application/json",
            "x-request-id": request_id,
            "openai-processing-ms": str(round(delay * 1000)),
            "openai-version": "2020-10-01",
            "openai-organization": "org-weekfour",
        }
        if extra:
            headers.update(extra)
        return httpx.Response(status, headers=headers, content=body)


def _re_escape(text: str) -> str:
    import re

    return re.escape(text)


def _to_int(value: str | None) -> int:
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        return 0


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, key = value.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else value


def _content(request: httpx.Request) -> bytes:
    try:
        return request.content
    except httpx.RequestNotRead:
        return request.read()


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout")
    if isinstance(timeout, dict):
        read = timeout.get("read")
        return float(read) if read is not None else None
    return None
