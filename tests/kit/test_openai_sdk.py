"""Fidelity: the official openai SDK, pointed at the mock, parses every answer and maps every error itself."""

from __future__ import annotations

import asyncio
import json

import openai
import pytest
from pydantic import BaseModel

from weekfour.provider import EchoModel, MockProvider
from weekfour.tokens import count_tokens
from weekfour.types import FaultWindow, LatencyProfile

USER = [{"role": "user", "content": "where is order A-1043?"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_order",
            "description": "Look an order up by id",
            "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        },
    }
]


def test_a_completion() -> None:
    provider = MockProvider(EchoModel())
    client = provider.openai()
    out = client.chat.completions.create(model="wf-chat", messages=USER, max_completion_tokens=100)
    assert out.object == "chat.completion"
    assert out.model == "wf-chat-2026-01-15"
    assert out.choices[0].message.content == "You said: where is order A-1043?"
    assert out.choices[0].finish_reason == "stop"
    assert out.usage is not None and out.usage.completion_tokens == count_tokens(out.choices[0].message.content)
    assert out.usage.total_tokens == out.usage.prompt_tokens + out.usage.completion_tokens
    assert out.created == int(provider.clock.time() - provider.log[0].latency_s)


def test_raw_response_headers_through_the_sdk() -> None:
    provider = MockProvider(EchoModel())
    raw = provider.openai().chat.completions.with_raw_response.create(model="wf-chat", messages=USER)
    assert raw.headers["x-request-id"] == provider.log[0].request_id
    assert raw.parse().choices[0].message.content


def test_tool_calls() -> None:
    client = MockProvider(EchoModel()).openai()
    out = client.chat.completions.create(
        model="wf-chat", messages=[{"role": "user", "content": "get_order A-1043"}], tools=TOOLS
    )
    choice = out.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "get_order"
    assert json.loads(call.function.arguments) == {"text": "get_order A-1043"}


class OrderAnswer(BaseModel):
    order_id: str
    shipped: bool
    days_late: int


def test_parse_with_a_pydantic_model() -> None:
    client = MockProvider(EchoModel()).openai()
    out = client.chat.completions.parse(model="wf-chat", messages=USER, response_format=OrderAnswer)
    parsed = out.choices[0].message.parsed
    assert isinstance(parsed, OrderAnswer)
    assert parsed.order_id == USER[0]["content"] and parsed.shipped is True


def test_streaming_with_usage() -> None:
    provider = MockProvider(EchoModel(), latency=LatencyProfile(ttft=0.5, per_output_token=0.05, jitter=0))
    stream = provider.openai().chat.completions.create(
        model="wf-chat", messages=USER, stream=True, stream_options={"include_usage": True}
    )
    parts: list[str] = []
    finish = None
    usage = None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            parts.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    text = "".join(parts)
    assert text == "You said: where is order A-1043?"
    assert finish == "stop"
    assert usage is not None and usage.completion_tokens == count_tokens(text)
    entry = provider.log[0]
    assert entry.stream and entry.ttft_s == pytest.approx(0.5) and entry.latency_s > entry.ttft_s
    assert provider.clock.now() == pytest.approx(entry.t_end)


def test_sdk_stream_manager_accumulates_tool_calls() -> None:
    client = MockProvider(EchoModel()).openai()
    with client.chat.completions.stream(
        model="wf-chat", messages=[{"role": "user", "content": "get_order please"}], tools=TOOLS
    ) as stream:
        final = stream.get_final_completion()
    call = final.choices[0].message.tool_calls[0]
    assert call.function.name == "get_order" and call.function.arguments == '{"text": "get_order please"}'


def test_logprobs() -> None:
    client = MockProvider(EchoModel(logprob=-1.2)).openai()
    out = client.chat.completions.create(model="wf-chat", messages=USER, logprobs=True, top_logprobs=2)
    items = out.choices[0].logprobs.content
    assert "".join(i.token for i in items) == out.choices[0].message.content
    assert items[-1].logprob == -1.2
    assert all(len(i.top_logprobs) == 2 for i in items)


def test_rate_limit_retries_honour_retry_after_on_the_simulated_clock() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 1e9, "rate_limit", retry_after=20.0)])
    client = provider.openai()  # max_retries=2, like the SDK
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model="wf-chat", messages=USER)
    assert info.value.status_code == 429 and info.value.code == "rate_limit_exceeded"
    assert [e.attempt for e in provider.log] == [0, 1, 2]
    starts = [e.t_start for e in provider.log]
    assert starts[1] - provider.log[0].t_end == pytest.approx(20.0)  # waited retry-after-ms, in simulated time
    assert starts[2] - provider.log[1].t_end == pytest.approx(20.0)


def test_plain_sdk_honours_a_small_retry_after_ms() -> None:
    # The SDK as a learner would build it: its own sleeping, which a 1 ms retry-after keeps instant.
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 1e9, "rate_limit", retry_after=0.001)])
    client = openai.OpenAI(
        api_key=provider.api_key, base_url=provider.base_url, http_client=provider.client(), max_retries=3
    )
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="wf-chat", messages=USER)
    assert [e.attempt for e in provider.log] == [0, 1, 2, 3]


def test_retry_then_success_when_the_window_closes() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 30, "overloaded")])
    out = provider.openai(max_retries=10).chat.completions.create(model="wf-chat", messages=USER)
    assert out.choices[0].message.content
    statuses = [e.status for e in provider.log]
    assert statuses[-1] == 200 and set(statuses[:-1]) == {503}
    assert provider.log[-1].t_start >= 30  # backoff (0.5 s doubling to 8 s) carried the clock past the outage


def test_insufficient_quota_is_not_retried_past_the_sdks_rules() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 1e9, "insufficient_quota")])
    with pytest.raises(openai.RateLimitError) as info:
        provider.openai(max_retries=0).chat.completions.create(model="wf-chat", messages=USER)
    assert info.value.code == "insufficient_quota"


def test_context_length_exceeded_is_a_bad_request() -> None:
    client = MockProvider(EchoModel()).openai()
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="wf-chat", messages=[{"role": "user", "content": "paste " * 40_000}])
    assert info.value.code == "context_length_exceeded"
    assert "maximum context length is 32768 tokens" in info.value.message


def test_max_tokens_on_the_new_snapshot_is_a_bad_request() -> None:
    client = MockProvider(EchoModel()).openai()
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="wf-chat-2026-06-01", messages=USER, max_tokens=50)
    assert info.value.code == "unsupported_parameter" and info.value.param == "max_tokens"


def test_server_error_is_retried_then_raised() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 1e9, "server_error")])
    with pytest.raises(openai.InternalServerError) as info:
        provider.openai().chat.completions.create(model="wf-chat", messages=USER)
    assert info.value.status_code == 500 and info.value.code == "server_error"
    assert [e.attempt for e in provider.log] == [0, 1, 2]


def test_timeout() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 1e9, "timeout")])
    with pytest.raises(openai.APITimeoutError):
        provider.openai(timeout=4.0, max_retries=1).chat.completions.create(model="wf-chat", messages=USER)
    assert [e.status for e in provider.log] == ["timeout", "timeout"]
    assert provider.log[0].latency_s == pytest.approx(4.0)


def test_connection_error() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 1e9, "connection_error")])
    with pytest.raises(openai.APIConnectionError):
        provider.openai(max_retries=0).chat.completions.create(model="wf-chat", messages=USER)


def test_authentication_error() -> None:
    provider = MockProvider(EchoModel())
    with pytest.raises(openai.AuthenticationError) as info:
        provider.openai(api_key="sk-leaked-and-revoked").chat.completions.create(model="wf-chat", messages=USER)
    assert info.value.status_code == 401 and info.value.code == "invalid_api_key"


def test_not_found_error() -> None:
    with pytest.raises(openai.NotFoundError) as info:
        MockProvider(EchoModel()).openai().chat.completions.create(model="gpt-4-0314", messages=USER)
    assert info.value.code == "model_not_found"


def test_models_list() -> None:
    ids = {m.id for m in MockProvider(EchoModel()).openai().models.list()}
    assert {"wf-chat", "wf-chat-2026-01-15", "backup-chat-1"} <= ids


def test_async_sdk_calls_overlap_on_the_clock() -> None:
    provider = MockProvider(EchoModel(), latency=LatencyProfile(ttft=3.0, per_output_token=0.0, jitter=0))

    async def main() -> list[str | None]:
        client = provider.async_openai()
        outs = await asyncio.gather(*(client.chat.completions.create(model="wf-chat", messages=USER) for _ in range(8)))
        return [o.choices[0].message.content for o in outs]

    assert provider.clock.run(main()) == ["You said: where is order A-1043?"] * 8
    assert provider.clock.now() == pytest.approx(3.0)


def test_async_sdk_retries_wait_on_the_clock() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 1e9, "rate_limit", retry_after=15.0)])

    async def main() -> None:
        await provider.async_openai().chat.completions.create(model="wf-chat", messages=USER)

    with pytest.raises(openai.RateLimitError):
        provider.clock.run(main())
    assert [e.attempt for e in provider.log] == [0, 1, 2]
    assert provider.log[2].t_start - provider.log[1].t_end == pytest.approx(15.0)


def test_async_sdk_streaming() -> None:
    provider = MockProvider(EchoModel())

    async def main() -> str:
        client = provider.async_openai()
        stream = await client.chat.completions.create(model="wf-chat", messages=USER, stream=True)
        return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    assert provider.clock.run(main()) == "You said: where is order A-1043?"


def test_the_sdk_hook_the_simulated_retries_rely_on_is_still_there() -> None:
    # SimOpenAI overrides the SDK's private retry sleep; an SDK upgrade that renames it must fail here, loudly.
    import inspect

    for cls in (openai.OpenAI, openai.AsyncOpenAI):
        params = set(inspect.signature(cls._sleep_for_retry).parameters)
        assert params == {"self", "retries_taken", "max_retries", "options", "response"}
        assert hasattr(cls, "_parse_retry_after_header")


def test_tags_from_extra_headers_reach_the_log() -> None:
    provider = MockProvider(EchoModel())
    provider.openai().chat.completions.create(
        model="wf-chat", messages=USER, extra_headers={"x-weekfour-tags": "nightly,batch"}
    )
    assert provider.log[0].tags == ("nightly", "batch")
