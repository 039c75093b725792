"""The mocked OpenAI Chat Completions provider: wire-faithful, strict, offline, on simulated time.

    provider = MockProvider(model)                 # any weekfour.types.ChatModel
    client = provider.client()                     # httpx.Client on the mock
    sdk = provider.openai()                        # the official openai SDK on the mock
    with provider.router(): httpx.post(...)        # respx: anything unmocked fails loudly
    provider.log.to_frame()                        # every call: status, tokens, cost, latency, attempt, tags

Every 200 carries ``x-ratelimit-*`` (limit, remaining, reset; requests and tokens) from the configured limits or
the default budget; ``n`` > 1 answers with n choices, the prompt billed once and every choice's completion.

Errors the client sees, as the real API sends them::

    httpx.Response 4xx/5xx with {"error": {"message", "type", "param", "code"}}
    ├── 400 invalid_request_error: invalid JSON, missing/invalid field, context_length_exceeded, unsupported_parameter,
    │       a tool message answering no call / tool_calls left unanswered (param messages.[i].role)
    ├── 401 invalid_api_key
    ├── 404 model_not_found / Invalid URL
    ├── 429 rate_limit_exceeded (retry-after, retry-after-ms, x-ratelimit-*) / insufficient_quota (no retry-after)
    ├── 500 server_error
    └── 503 overloaded
    httpx.TransportError
    ├── httpx.ReadTimeout  (the clock advanced by the client's read timeout)
    └── httpx.ConnectError
"""

from __future__ import annotations

from weekfour.provider._echo import EchoModel
from weekfour.provider._errors import ApiError
from weekfour.provider._log import LogEntry, RequestLog
from weekfour.provider._provider import BASE_URL, TAGS_HEADER, MockProvider

__all__ = ["BASE_URL", "TAGS_HEADER", "ApiError", "EchoModel", "LogEntry", "MockProvider", "RequestLog"]
