"""weekfour.provider: successful responses on the wire — bodies, tool calls, logprobs, ceilings, SSE, the log."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from respx.models import AllMockedAssertionError

import weekfour.provider as provider_pkg
from weekfour.clock import SimClock
from weekfour.provider import BASE_URL, EchoModel, MockProvider
from weekfour.tokens import count_message_tokens, count_tokens, split_tokens
from weekfour.types import ChatRequest, LatencyProfile, ModelTurn, Span, ToolCall, TurnContext

USER = [{"role": "user", "content": "where is my order A-1043?"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_order",
            "description": "Look an order up",
            "parameters": {"type": "object", "properties": {"text": {"type": "string"}}},
        },
    }
]


class Scripted:
    """Answers with a fixed turn, and remembers what it was asked."""

    def __init__(self, turn: ModelTurn) -> None:
        self.turn = turn
        self.seen: list[tuple[ChatRequest, TurnContext]] = []

    def respond(self, request: ChatRequest, ctx: TurnContext) -> ModelTurn:
        self.seen.append((request, ctx))
        return self.turn


def post(provider: MockProvider, body: dict[str, Any], timeout: float = 5.0, **kwargs: Any) -> httpx.Response:
    with provider.client(timeout=timeout) as client:
        return client.post("/chat/completions", json=body, **kwargs)


def test_public_surface() -> None:
    assert sorted(provider_pkg.__all__) == [
        "ApiError",
        "BASE_URL",
        "EchoModel",
        "LogEntry",
        "MockProvider",
        "RequestLog",
        "TAGS_HEADER",
    ]
    assert BASE_URL == "https://api.weekfour.test/v1"


def test_completion_body_has_the_real_shape() -> None:
    provider = MockProvider(EchoModel())
    resp = post(provider, {"model": "wf-chat", "messages": USER})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-request-id"].startswith("req_")
    body = resp.json()
    assert body["id"].startswith("chatcmpl-") and len(body["id"]) == len("chatcmpl-") + 29
    assert body["object"] == "chat.completion"
    assert body["created"] == int(provider.clock.time() - provider.log[0].latency_s)
    assert body["model"] == "wf-chat-2026-01-15"  # the snapshot, not the alias
    assert body["system_fingerprint"].startswith("fp_")
    (choice,) = body["choices"]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop" and choice["logprobs"] is None
    message = choice["message"]
    assert message == {
        "role": "assistant",
        "content": "You said: where is my order A-1043?",
        "refusal": None,
        "annotations": [],
    }
    usage = body["usage"]
    assert usage["prompt_tokens"] == count_message_tokens(USER)
    assert usage["completion_tokens"] == count_tokens(message["content"])
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"]["cached_tokens"] == 0
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 0


def test_the_model_sees_a_parsed_request_and_its_context() -> None:
    model = Scripted(ModelTurn(spans=[Span("ok")]))
    clock = SimClock()
    clock.sleep(123)
    provider = MockProvider(model, clock=clock)
    body = {
        "model": "wf-mini",
        "messages": USER,
        "temperature": 0.2,
        "seed": 7,
        "max_completion_tokens": 50,
        "stop": "END",
        "tools": TOOLS,
        "tool_choice": "auto",
    }
    assert post(provider, body).status_code == 200
    request, ctx = model.seen[0]
    assert (request.model, request.temperature, request.seed, request.completion_ceiling) == ("wf-mini", 0.2, 7, 50)
    assert request.stop == ["END"] and request.tools == TOOLS and request.tool_choice == "auto"
    assert request.raw["messages"] == USER
    assert ctx.now == 123 and ctx.spec.id == "wf-mini-2026-01-15"


def test_tool_calls_carry_json_string_arguments() -> None:
    provider = MockProvider(EchoModel())
    body = {"model": "wf-chat", "messages": [{"role": "user", "content": "please get_order A-1043"}], "tools": TOOLS}
    choice = post(provider, body).json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["id"].startswith("call_") and call["type"] == "function"
    assert call["function"]["name"] == "get_order"
    assert isinstance(call["function"]["arguments"], str)
    assert json.loads(call["function"]["arguments"]) == {"text": "please get_order A-1043"}


def test_a_full_tool_round_trip() -> None:
    provider = MockProvider(EchoModel())
    first = post(provider, {"model": "wf-chat", "messages": [{"role": "user", "content": "get_order"}], "tools": TOOLS})
    assistant = first.json()["choices"][0]["message"]
    call = assistant["tool_calls"][0]
    messages = [
        {"role": "user", "content": "get_order"},
        assistant,
        {"role": "tool", "tool_call_id": call["id"], "content": '{"status": "shipped"}'},
    ]
    second = post(provider, {"model": "wf-chat", "messages": messages, "tools": TOOLS}).json()
    assert second["choices"][0]["message"]["content"] == 'Tool said: {"status": "shipped"}'


def test_logprobs_follow_the_spans_token_by_token() -> None:
    turn = ModelTurn(spans=[Span("Your order shipped", -0.02), Span(" on March 3rd", -2.3)])
    provider = MockProvider(Scripted(turn))
    body = {"model": "wf-chat", "messages": USER, "logprobs": True, "top_logprobs": 3}
    lp = post(provider, body).json()["choices"][0]["logprobs"]
    items = lp["content"]
    expected = [(t, -0.02) for t in split_tokens("Your order shipped")] + [
        (t, -2.3) for t in split_tokens(" on March 3rd")
    ]
    assert [(i["token"], i["logprob"]) for i in items] == expected
    for item in items:
        assert item["bytes"] == list(item["token"].encode())
        top = item["top_logprobs"]
        assert len(top) == 3
        assert [t["logprob"] for t in top] == sorted((t["logprob"] for t in top), reverse=True)
        assert len({t["token"] for t in top}) == 3
    # a confident token leads its alternatives; an unsure one is beaten by one
    assert items[0]["top_logprobs"][0]["token"] == items[0]["token"]
    assert items[-1]["top_logprobs"][0]["token"] != items[-1]["token"]


def test_logprobs_are_deterministic_across_runs() -> None:
    body = {"model": "wf-chat", "messages": USER, "logprobs": True, "top_logprobs": 5}
    a = post(MockProvider(EchoModel(logprob=-1.0)), body).json()["choices"][0]["logprobs"]
    b = post(MockProvider(EchoModel(logprob=-1.0)), body).json()["choices"][0]["logprobs"]
    assert a == b


def test_a_token_straddling_two_spans_takes_the_lower_logprob() -> None:
    turn = ModelTurn(spans=[Span("The order ship", -0.01), Span("ped today", -3.0)])
    provider = MockProvider(Scripted(turn))
    body = post(provider, {"model": "wf-chat", "messages": USER, "logprobs": True}).json()
    items = body["choices"][0]["logprobs"]["content"]
    assert [i["token"] for i in items] == split_tokens("The order shipped today")
    assert [i["logprob"] for i in items] == [-0.01, -0.01, -3.0, -3.0]
    assert body["usage"]["completion_tokens"] == count_tokens("The order shipped today")


def test_completion_ceiling_truncates_content_with_finish_reason_length() -> None:
    text = "one two three four five six seven eight nine ten"
    provider = MockProvider(Scripted(ModelTurn(spans=[Span(text)])))
    for field in ("max_completion_tokens", "max_tokens"):
        body = post(provider, {"model": "wf-chat", "messages": USER, field: 4}).json()
        choice = body["choices"][0]
        assert choice["finish_reason"] == "length"
        assert choice["message"]["content"] == "".join(split_tokens(text)[:4])
        assert body["usage"]["completion_tokens"] == 4


def test_ceiling_also_truncates_tool_call_arguments() -> None:
    args = json.dumps({"text": "a long argument " * 20})
    turn = ModelTurn(tool_calls=[ToolCall("call_1", "get_order", args), ToolCall("call_2", "get_order", "{}")])
    provider = MockProvider(Scripted(turn))
    body = post(provider, {"model": "wf-chat", "messages": USER, "tools": TOOLS, "max_completion_tokens": 20}).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "length"
    (call,) = choice["message"]["tool_calls"]
    assert args.startswith(call["function"]["arguments"]) and call["function"]["arguments"] != args
    with pytest.raises(json.JSONDecodeError):
        json.loads(call["function"]["arguments"])
    assert body["usage"]["completion_tokens"] == 20


def test_without_a_ceiling_the_answer_fits_the_rest_of_the_window() -> None:
    provider = MockProvider(Scripted(ModelTurn(spans=[Span("word " * 3000)])))
    long_prompt = [{"role": "user", "content": "data " * 15_000}]  # about 15k of wf-mini's 16,384 tokens
    body = post(provider, {"model": "wf-mini", "messages": long_prompt}, timeout=120).json()
    room = 16_384 - body["usage"]["prompt_tokens"]
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == min(room, 2_048)


def test_stop_sequence_cuts_the_content() -> None:
    provider = MockProvider(Scripted(ModelTurn(spans=[Span("Answer: 42\nEND\nextra chatter")])))
    choice = post(provider, {"model": "wf-chat", "messages": USER, "stop": ["\nEND"]}).json()["choices"][0]
    assert choice["message"]["content"] == "Answer: 42"
    assert choice["finish_reason"] == "stop"


def test_refusal_field() -> None:
    provider = MockProvider(EchoModel())
    message = post(provider, {"model": "wf-chat", "messages": [{"role": "user", "content": "REFUSE"}]}).json()
    assert message["choices"][0]["message"]["content"] is None
    assert message["choices"][0]["message"]["refusal"] == "I'm sorry, I can't help with that."


def test_json_schema_response_format() -> None:
    schema = {
        "type": "object",
        "properties": {"order_id": {"type": "string"}, "confidence": {"type": "number"}},
        "required": ["order_id", "confidence"],
    }
    body = {
        "model": "wf-chat",
        "messages": USER,
        "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": True}},
    }
    content = post(MockProvider(EchoModel()), body).json()["choices"][0]["message"]["content"]
    assert set(json.loads(content)) == {"order_id", "confidence"}


def read_sse(resp: httpx.Response) -> list[Any]:
    events = []
    for line in resp.iter_lines():
        if not line:
            continue
        assert line.startswith("data: ")
        data = line[len("data: ") :]
        events.append(data if data == "[DONE]" else json.loads(data))
    return events


def test_sse_framing_role_deltas_finish_usage_done() -> None:
    provider = MockProvider(EchoModel())
    body = {"model": "wf-chat", "messages": USER, "stream": True, "stream_options": {"include_usage": True}}
    with provider.client() as client, client.stream("POST", "/chat/completions", json=body) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = resp.read()
    assert raw.endswith(b"data: [DONE]\n\n")
    events = read_sse(httpx.Response(200, content=raw))
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "You said: " + USER[0]["content"]
    finish = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finish) == 1 and finish[0]["choices"][0]["finish_reason"] == "stop"
    usage = chunks[-1]
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] == count_tokens(text)
    assert all(c["usage"] is None for c in chunks[:-1])


def test_sse_without_include_usage_has_no_usage_chunk() -> None:
    provider = MockProvider(EchoModel())
    resp = post(provider, {"model": "wf-chat", "messages": USER, "stream": True})
    chunks = read_sse(resp)[:-1]
    assert all(c["choices"] for c in chunks) and all("usage" not in c for c in chunks)


def test_sse_tool_call_deltas_carry_an_index() -> None:
    turn = ModelTurn(
        tool_calls=[ToolCall("call_a", "get_order", '{"id": "A-1"}'), ToolCall("call_b", "get_order", '{"id": "B"}')]
    )
    resp = post(MockProvider(Scripted(turn)), {"model": "wf-chat", "messages": USER, "tools": TOOLS, "stream": True})
    calls: dict[int, dict[str, str]] = {}
    for chunk in read_sse(resp)[:-1]:
        for delta in chunk["choices"][0]["delta"].get("tool_calls") or []:
            slot = calls.setdefault(delta["index"], {"id": "", "name": "", "arguments": ""})
            slot["id"] += delta.get("id", "")
            slot["name"] += delta.get("function", {}).get("name", "")
            slot["arguments"] += delta.get("function", {}).get("arguments", "")
    assert calls == {
        0: {"id": "call_a", "name": "get_order", "arguments": '{"id": "A-1"}'},
        1: {"id": "call_b", "name": "get_order", "arguments": '{"id": "B"}'},
    }


def test_sse_logprobs_per_chunk() -> None:
    provider = MockProvider(EchoModel(logprob=-0.7))
    resp = post(provider, {"model": "wf-chat", "messages": USER, "stream": True, "logprobs": True, "top_logprobs": 1})
    items = [c["choices"][0]["logprobs"]["content"][0] for c in read_sse(resp)[:-1] if c["choices"][0]["logprobs"]]
    assert "".join(i["token"] for i in items) == "You said: " + USER[0]["content"]
    assert items[-1]["logprob"] == -0.7 and len(items[-1]["top_logprobs"]) == 1


def test_streaming_spends_simulated_time_chunk_by_chunk() -> None:
    latency = LatencyProfile(ttft=0.5, per_output_token=0.1, jitter=0)
    provider = MockProvider(Scripted(ModelTurn(spans=[Span("one two three four")])), latency=latency)
    clock = provider.clock
    body = {"model": "wf-chat", "messages": USER, "stream": True}
    seen: list[float] = []
    with provider.client() as client, client.stream("POST", "/chat/completions", json=body) as resp:
        assert clock.now() == pytest.approx(0.5)  # headers arrive with the first token
        for line in resp.iter_lines():
            if line.startswith("data: {") and '"content":"' in line and '"role"' not in line:
                seen.append(clock.now())
    assert seen == pytest.approx([0.5, 0.6, 0.7, 0.8])
    entry = provider.log[0]
    assert entry.stream and entry.ttft_s == pytest.approx(0.5)
    assert entry.latency_s == pytest.approx(0.5 + 0.1 * 4)  # four tokens plus the final chunk
    assert clock.now() == pytest.approx(entry.t_end)


def test_non_streaming_latency_is_ttft_plus_per_token() -> None:
    latency = LatencyProfile(ttft=0.4, per_output_token=0.02, jitter=0)
    provider = MockProvider(Scripted(ModelTurn(spans=[Span("word " * 100)])), latency=latency)
    post(provider, {"model": "wf-chat", "messages": USER})
    entry = provider.log[0]
    assert entry.latency_s == pytest.approx(0.4 + 0.02 * entry.completion_tokens)
    assert provider.clock.now() == pytest.approx(entry.latency_s)
    assert post(provider, {"model": "wf-chat", "messages": USER}).headers["openai-processing-ms"] == str(
        round(entry.latency_s * 1000)
    )


def test_jittered_latency_varies_but_is_seeded() -> None:
    def latencies(seed: int) -> list[float]:
        provider = MockProvider(EchoModel(), seed=seed)
        for _ in range(20):
            post(provider, {"model": "wf-chat", "messages": USER})
        return [e.latency_s for e in provider.log]

    a, b, c = latencies(1), latencies(1), latencies(2)
    assert a == b and a != c
    assert len(set(a)) > 10


def test_same_seed_same_requests_same_everything() -> None:
    def run(seed: int) -> tuple[list[bytes], list[tuple[Any, ...]]]:
        provider = MockProvider(EchoModel(), seed=seed)
        bodies = []
        for i in range(5):
            msgs = [{"role": "user", "content": f"question {i} get_order"}]
            bodies.append(post(provider, {"model": "wf-chat", "messages": msgs, "tools": TOOLS}).content)
        bodies.append(post(provider, {"model": "wf-chat", "messages": USER, "stream": True}).content)
        rows = [tuple(r) for r in provider.log.to_frame().itertuples(index=False)]
        return bodies, rows

    assert run(3) == run(3)
    assert run(3)[0] != run(4)[0]


def test_the_log_records_every_call() -> None:
    provider = MockProvider(EchoModel())
    post(provider, {"model": "wf-chat", "messages": USER}, headers={"x-weekfour-tags": "demo, happy-path"})
    post(provider, {"model": "nope", "messages": USER}, headers={"x-stainless-retry-count": "2"})
    ok, missing = list(provider.log)
    assert (ok.status, ok.model, ok.snapshot, ok.finish_reason, ok.tags) == (
        200,
        "wf-chat",
        "wf-chat-2026-01-15",
        "stop",
        ("demo", "happy-path"),
    )
    assert ok.cost_usd == pytest.approx(provider.catalog.price("wf-chat", ok.prompt_tokens, ok.completion_tokens))
    assert ok.t_end == pytest.approx(ok.t_start + ok.latency_s)
    assert (missing.status, missing.error_code, missing.attempt, missing.cost_usd) == (404, "model_not_found", 2, 0.0)
    assert missing.t_start == pytest.approx(ok.t_end)
    frame = provider.log.to_frame()
    assert list(frame["status"]) == [200, 404]
    assert frame.loc[0, "tags"] == "demo,happy-path"
    assert {"request_id", "ttft_s", "attempt", "cost_usd", "prompt_tokens"} <= set(frame.columns)
    assert provider.log.total_cost() == pytest.approx(ok.cost_usd)
    provider.log.clear()
    assert len(provider.log) == 0 and provider.log.to_frame().empty


def test_models_listing() -> None:
    provider = MockProvider(EchoModel())
    with provider.client() as client:
        listing = client.get("/models").json()
        one = client.get("/models/wf-mini")
        missing = client.get("/models/gpt-9")
    assert listing["object"] == "list"
    assert {"wf-chat", "wf-chat-2026-06-01", "backup-chat"} <= {m["id"] for m in listing["data"]}
    assert one.json()["id"] == "wf-mini"
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"


def test_router_serves_the_api_and_fails_loudly_on_anything_else() -> None:
    provider = MockProvider(EchoModel())
    key = {"Authorization": "Bearer sk-weekfour-test"}
    with provider.router() as router:
        ok = httpx.post(f"{BASE_URL}/chat/completions", json={"model": "wf-chat", "messages": USER}, headers=key)
        assert ok.status_code == 200 and ok.json()["choices"][0]["message"]["content"].startswith("You said")
        with pytest.raises(AllMockedAssertionError):
            httpx.get("https://example.com/")
        with pytest.raises(AllMockedAssertionError):
            httpx.post(f"{BASE_URL}/embeddings", json={}, headers=key)
        assert router["chat_completions"].call_count == 1
    assert len(provider.log) == 1


def test_router_as_an_injected_transport() -> None:
    provider = MockProvider(EchoModel())
    router = provider.router()
    client = httpx.Client(transport=httpx.MockTransport(router.handler), base_url=BASE_URL)
    resp = client.post(
        "/chat/completions",
        json={"model": "wf-chat", "messages": USER},
        headers={"Authorization": "Bearer sk-weekfour-test"},
    )
    assert resp.status_code == 200
    with pytest.raises(AllMockedAssertionError):
        client.get("https://elsewhere.test/")


def test_async_calls_overlap_on_the_virtual_loop() -> None:
    latency = LatencyProfile(ttft=2.0, per_output_token=0.0, jitter=0)
    provider = MockProvider(EchoModel(), latency=latency)

    async def main() -> list[int]:
        async with provider.async_client() as client:
            calls = [client.post("/chat/completions", json={"model": "wf-chat", "messages": USER}) for _ in range(10)]
            return [r.status_code for r in await asyncio.gather(*calls)]

    assert provider.clock.run(main()) == [200] * 10
    assert provider.clock.now() == pytest.approx(2.0)
    assert len(provider.log) == 10


def test_async_router_overlaps_too() -> None:
    latency = LatencyProfile(ttft=1.0, per_output_token=0.0, jitter=0)
    provider = MockProvider(EchoModel(), latency=latency)
    router = provider.router()

    async def main() -> list[int]:
        transport = httpx.MockTransport(router.async_handler)
        headers = {"Authorization": "Bearer sk-weekfour-test"}
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers) as client:
            calls = [client.post("/chat/completions", json={"model": "wf-chat", "messages": USER}) for _ in range(5)]
            return [r.status_code for r in await asyncio.gather(*calls)]

    assert provider.clock.run(main()) == [200] * 5
    assert provider.clock.now() == pytest.approx(1.0)


def test_async_streaming_spends_time_per_chunk() -> None:
    latency = LatencyProfile(ttft=0.3, per_output_token=0.05, jitter=0)
    provider = MockProvider(Scripted(ModelTurn(spans=[Span("a b c")])), latency=latency)

    async def main() -> list[float]:
        times = []
        body = {"model": "wf-chat", "messages": USER, "stream": True}
        async with provider.async_client() as client, client.stream("POST", "/chat/completions", json=body) as resp:
            async for line in resp.aiter_lines():
                if '"content":"' in line and '"role"' not in line:
                    times.append(provider.clock.now())
        return times

    assert provider.clock.run(main()) == pytest.approx([0.3, 0.35, 0.4])
