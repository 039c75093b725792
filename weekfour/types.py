"""The shared vocabulary of the course kit.

The mocked provider (``weekfour.provider``) speaks the wire format; the scripted model (``weekfour.model``) decides
what to say; scenarios (``weekfour.scenarios``) set the knobs of both. They meet in the types below:

    wire JSON ──► ChatRequest ──► ChatModel.respond(request, ctx) ──► ModelTurn ──► wire JSON / SSE
                       ▲                                                        │
                  ModelSpec (catalog: context window, prices, quirks)     usage, finish_reason, logprobs
                  Scenario.faults / .latency (applied by the provider, before and around the model)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

__all__ = [
    "ChatModel",
    "ChatRequest",
    "FaultKind",
    "FaultWindow",
    "LatencyProfile",
    "ModelSpec",
    "ModelTurn",
    "Span",
    "ToolCall",
    "TurnContext",
]

FaultKind = Literal[
    "rate_limit",  # 429 rate_limit_exceeded, with retry-after / retry-after-ms / x-ratelimit-* headers
    "insufficient_quota",  # 429 insufficient_quota: retrying never helps
    "server_error",  # 500
    "overloaded",  # 503
    "timeout",  # the provider hangs past the client's read timeout: httpx.ReadTimeout
    "connection_error",  # httpx.ConnectError before any byte is exchanged
]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One model snapshot in the provider's catalog."""

    id: str  # the snapshot id, e.g. "wf-chat-2026-01-15"
    context_window: int  # prompt + completion tokens
    max_output_tokens: int
    usd_per_1m_input: float
    usd_per_1m_output: float
    style: str = "v1"  # output-format generation the scripted model imitates ("v1", "v2", ...)
    rejects_max_tokens: bool = False  # newer snapshots answer 400 unsupported_parameter to `max_tokens`
    supports_logprobs: bool = True


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """A validated Chat Completions request body (the fields the course uses; the rest stay in ``raw``)."""

    model: str  # as sent (may be an alias)
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    max_completion_tokens: int | None = None
    max_tokens: int | None = None
    stream: bool = False
    include_usage: bool = False  # stream_options.include_usage
    logprobs: bool = False
    top_logprobs: int | None = None
    seed: int | None = None
    temperature: float | None = None
    stop: list[str] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def completion_ceiling(self) -> int | None:
        """The most completion tokens this request allows, or None for the model's own limit."""
        return self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str  # "call_..."
    name: str
    arguments: str  # a JSON string, exactly as the API sends it (it may be malformed on purpose)


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the answer and how sure the model was of it (natural-log probability per token)."""

    text: str
    logprob: float = -0.01


@dataclass(slots=True)
class ModelTurn:
    """What the scripted model decided to say. The provider turns it into the wire response.

    ``spans`` is the content split by confidence: their texts concatenate to the content. A confident wrong fact is
    a span with a low logprob, whatever the text claims about itself.
    """

    spans: list[Span] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    refusal: str | None = None

    @property
    def content(self) -> str | None:
        if not self.spans:
            return None
        return "".join(s.text for s in self.spans)


@dataclass(slots=True)
class TurnContext:
    """What the model may know about the moment it is asked in."""

    now: float  # simulated seconds since the start of the simulation
    spec: ModelSpec  # the snapshot that is answering (aliases already resolved)
    rng: random.Random  # deterministic for (provider seed, request seed, request number)


class ChatModel(Protocol):
    def respond(self, request: ChatRequest, ctx: TurnContext) -> ModelTurn: ...


@dataclass(frozen=True, slots=True)
class FaultWindow:
    """During [start, end) simulated seconds, each matching request fails as ``kind`` with ``probability``."""

    start: float
    end: float
    kind: FaultKind
    probability: float = 1.0
    models: tuple[str, ...] = ()  # snapshot ids or aliases it hits; empty = every model
    retry_after: float | None = None  # seconds the 429 tells the client to wait


@dataclass(frozen=True, slots=True)
class LatencyProfile:
    """Simulated provider latency: time to first token plus time per output token, with lognormal jitter."""

    ttft: float = 0.35
    per_output_token: float = 0.012
    jitter: float = 0.25  # sigma of the lognormal multiplier; 0 = exact
