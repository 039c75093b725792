"""The official openai SDK against the mock: the rules the real API enforces, and the answers it gives.

Tool-call history (tool <-> tool_calls pairing), roles, ``n`` choices, ``x-ratelimit-*`` on every answer, the
SDK's own request fields, and EchoModel honouring ``tool_choice`` with arguments that fit the tool's schema.
"""

from __future__ import annotations

import json
import typing
from typing import Any, Literal

import openai
import pytest
from openai.types.chat import completion_create_params
from pydantic import BaseModel, ConfigDict, Field

from weekfour.provider import EchoModel, MockProvider
from weekfour.provider._wire import _IGNORED_FIELDS, _READ_FIELDS
from weekfour.tokens import count_tokens

USER = {"role": "user", "content": "where is order A1043?"}
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


def call(call_id: str, name: str = "get_order", arguments: str = '{"text": "A1043"}') -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def assistant_calling(*ids: str) -> dict[str, Any]:
    return {"role": "assistant", "content": None, "tool_calls": [call(i) for i in ids]}


def tool_result(call_id: str, content: str = '{"status": "shipped"}') -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def bad_request(messages: list[dict[str, Any]], **kwargs: Any) -> openai.BadRequestError:
    client = MockProvider(EchoModel()).openai(max_retries=0)
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="wf-chat", messages=messages, **kwargs)
    assert info.value.status_code == 400 and info.value.type == "invalid_request_error"
    return info.value


# -- tool-call history -------------------------------------------------------------------------------------------
def test_a_tool_message_with_no_call_before_it_is_a_400() -> None:
    err = bad_request([USER, tool_result("call_nobody_made")])
    assert err.message.endswith(
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
    )
    assert err.param == "messages.[1].role" and err.code is None


def test_a_tool_message_answering_an_unknown_call_id_is_a_400() -> None:
    err = bad_request([USER, assistant_calling("call_a"), tool_result("call_a"), tool_result("call_b")])
    assert "must be a response to a preceeding message with 'tool_calls'" in err.message
    assert err.param == "messages.[3].role"


def test_a_tool_message_after_a_later_user_turn_is_a_400() -> None:
    history = [USER, assistant_calling("call_a"), tool_result("call_a"), USER, tool_result("call_a")]
    assert bad_request(history).param == "messages.[4].role"


def test_unanswered_tool_calls_before_the_next_message_are_a_400_naming_every_missing_id() -> None:
    history = [USER, assistant_calling("call_a", "call_b", "call_c"), tool_result("call_b"), USER]
    err = bad_request(history)
    assert err.message.endswith(
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
        "'tool_call_id'. The following tool_call_ids did not have response messages: call_a, call_c"
    )
    assert err.param == "messages.[1].role"


def test_tool_calls_left_unanswered_at_the_end_are_a_400() -> None:
    err = bad_request([USER, assistant_calling("call_a")])
    assert err.message.endswith("did not have response messages: call_a")


def test_a_complete_history_with_parallel_calls_in_any_order_is_accepted() -> None:
    client = MockProvider(EchoModel()).openai()
    history = [USER, assistant_calling("call_a", "call_b"), tool_result("call_b"), tool_result("call_a")]
    out = client.chat.completions.create(model="wf-chat", messages=history, tools=TOOLS)
    assert out.choices[0].message.content == 'Tool said: {"status": "shipped"}'


def test_a_fitted_history_that_drops_a_call_but_keeps_its_result_is_refused() -> None:
    # What exercise 2.4 warns about: trimming the oldest messages must not orphan a tool result.
    full = [{"role": "system", "content": "be brief"}, USER, assistant_calling("call_a"), tool_result("call_a")]
    orphaned = [full[0], full[3], {"role": "user", "content": "and now?"}]
    assert bad_request(orphaned).param == "messages.[1].role"


# -- roles and message shapes --------------------------------------------------------------------------------------
def test_an_unknown_role_is_a_400_naming_the_supported_ones() -> None:
    err = bad_request([{"role": "robot", "content": "beep"}])
    assert err.param == "messages[0].role" and err.code == "invalid_value"
    assert "'tool'" in err.message and "'developer'" in err.message


def test_tool_calls_on_a_user_message_are_a_400() -> None:
    err = bad_request([{"role": "user", "content": "hi", "tool_calls": [call("call_a")]}])
    assert err.param == "messages[0].tool_calls"


def test_an_assistant_message_with_neither_content_nor_calls_is_a_400() -> None:
    err = bad_request([USER, {"role": "assistant", "content": None}, USER])
    assert err.param == "messages.[1].content"


def test_an_assistant_refusal_with_null_content_is_a_valid_history() -> None:
    client = MockProvider(EchoModel()).openai()
    history = [USER, {"role": "assistant", "content": None, "refusal": "I can't help with that."}, USER]
    assert client.chat.completions.create(model="wf-chat", messages=history).choices[0].message.content


# -- n choices --------------------------------------------------------------------------------------------------
def test_n_choices_each_with_its_index_and_usage_summed_as_the_api_does() -> None:
    provider = MockProvider(EchoModel())
    out = provider.openai().chat.completions.create(model="wf-chat", messages=[USER], n=3)
    assert [c.index for c in out.choices] == [0, 1, 2]
    single = provider.openai().chat.completions.create(model="wf-chat", messages=[USER])
    assert out.usage.prompt_tokens == single.usage.prompt_tokens  # the prompt is billed once
    assert out.usage.completion_tokens == sum(count_tokens(c.message.content or "") for c in out.choices)
    assert out.usage.completion_tokens == 3 * single.usage.completion_tokens
    assert provider.log[0].completion_tokens == out.usage.completion_tokens
    assert provider.log[0].cost_usd > provider.log[1].cost_usd


def test_n_choices_of_tool_calls_have_their_own_call_ids() -> None:
    client = MockProvider(EchoModel()).openai()
    out = client.chat.completions.create(
        model="wf-chat", messages=[{"role": "user", "content": "get_order A1043"}], tools=TOOLS, n=2
    )
    ids = [c.message.tool_calls[0].id for c in out.choices]
    assert len(set(ids)) == 2 and all(c.finish_reason == "tool_calls" for c in out.choices)


@pytest.mark.parametrize("n", [0, -1, 129])
def test_n_out_of_range_is_a_400(n: int) -> None:
    assert bad_request([USER], n=n).param == "n"


def test_streaming_n_choices_every_chunk_names_its_choice() -> None:
    client = MockProvider(EchoModel()).openai()
    stream = client.chat.completions.create(
        model="wf-chat", messages=[USER], n=2, stream=True, stream_options={"include_usage": True}
    )
    texts: dict[int, str] = {0: "", 1: ""}
    finishes: dict[int, str | None] = {}
    usage = None
    for chunk in stream:
        usage = chunk.usage or usage
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
            if choice.finish_reason:
                finishes[choice.index] = choice.finish_reason
    assert texts == {0: "You said: where is order A1043?", 1: "You said: where is order A1043?"}
    assert finishes == {0: "stop", 1: "stop"}
    assert usage is not None and usage.completion_tokens == 2 * count_tokens(texts[0])


# -- x-ratelimit-* on every answer ----------------------------------------------------------------------------------
RATE_HEADERS = [
    f"x-ratelimit-{what}-{kind}" for what in ("limit", "remaining", "reset") for kind in ("requests", "tokens")
]


def test_rate_limit_headers_come_with_every_answer_from_the_default_budget() -> None:
    client = MockProvider(EchoModel()).openai()
    first = client.chat.completions.with_raw_response.create(model="wf-chat", messages=[USER])
    second = client.chat.completions.with_raw_response.create(model="wf-chat", messages=[USER])
    for raw in (first, second):
        assert all(h in raw.headers for h in RATE_HEADERS)
    limit = int(first.headers["x-ratelimit-limit-requests"])
    assert int(first.headers["x-ratelimit-remaining-requests"]) == limit - 1
    assert int(second.headers["x-ratelimit-remaining-requests"]) == limit - 2
    used = first.parse().usage.prompt_tokens
    assert int(first.headers["x-ratelimit-remaining-tokens"]) == int(first.headers["x-ratelimit-limit-tokens"]) - used
    assert first.headers["x-ratelimit-reset-requests"].endswith("s")


def test_streamed_answers_carry_the_rate_limit_headers_too() -> None:
    client = MockProvider(EchoModel()).openai()
    with client.chat.completions.with_streaming_response.create(model="wf-chat", messages=[USER], stream=True) as raw:
        assert all(h in raw.headers for h in RATE_HEADERS)


def test_a_configured_limit_replaces_the_default_in_the_headers() -> None:
    client = MockProvider(EchoModel(), rpm_limit=7).openai()
    raw = client.chat.completions.with_raw_response.create(model="wf-chat", messages=[USER])
    assert raw.headers["x-ratelimit-limit-requests"] == "7" and raw.headers["x-ratelimit-remaining-requests"] == "6"
    assert "x-ratelimit-limit-tokens" in raw.headers


# -- the SDK's request fields ------------------------------------------------------------------------------------
def test_every_request_field_the_pinned_sdk_defines_is_known_to_the_mock() -> None:
    sdk_fields = set(typing.get_type_hints(completion_create_params.CompletionCreateParamsBase))
    sdk_fields |= set(typing.get_type_hints(completion_create_params.CompletionCreateParamsStreaming))
    unknown = sdk_fields - _READ_FIELDS - _IGNORED_FIELDS
    assert not unknown, f"the SDK sends fields the mock would refuse: {sorted(unknown)}"


def test_moderation_and_prompt_cache_options_are_accepted() -> None:
    client = MockProvider(EchoModel()).openai()
    out = client.chat.completions.create(
        model="wf-chat",
        messages=[USER],
        moderation={"input": {"mode": "score"}, "output": {"mode": "block"}},
        prompt_cache_options={"mode": "explicit", "ttl": "30m"},
        prompt_cache_key="shop-support",
        safety_identifier="user-1",
    )
    assert out.choices[0].message.content == "You said: where is order A1043?"
    assert out.usage.prompt_tokens_details.cached_tokens == 0


def test_a_field_the_sdk_does_not_define_is_still_refused() -> None:
    err = bad_request([USER], extra_body={"temperture": 0.2})
    assert err.param == "temperture" and "Unrecognized request argument supplied: temperture" in err.message


# -- EchoModel and tool_choice -----------------------------------------------------------------------------------
class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: str
    postcode: str = Field(min_length=5, max_length=5)


class Lookup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_id: str
    priority: Literal["low", "high"]
    quantity: int = Field(ge=2, le=9)
    weight: float
    gift: bool
    tags: list[str]
    ship_to: Address
    note: str | None


def test_required_tool_choice_calls_a_tool_even_after_a_tool_result() -> None:
    client = MockProvider(EchoModel()).openai()
    history = [USER, assistant_calling("call_a"), tool_result("call_a")]
    out = client.chat.completions.create(model="wf-chat", messages=history, tools=TOOLS, tool_choice="required")
    assert out.choices[0].finish_reason == "tool_calls"
    assert json.loads(out.choices[0].message.tool_calls[0].function.arguments) == {"text": USER["content"]}


def test_a_named_tool_choice_calls_that_function_after_a_tool_result() -> None:
    tools = [*TOOLS, openai.pydantic_function_tool(Lookup)]
    client = MockProvider(EchoModel()).openai()
    history = [USER, assistant_calling("call_a"), tool_result("call_a")]
    out = client.chat.completions.create(
        model="wf-chat",
        messages=history,
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "Lookup"}},
    )
    assert out.choices[0].message.tool_calls[0].function.name == "Lookup"


def test_auto_after_a_tool_result_answers_and_none_never_calls() -> None:
    client = MockProvider(EchoModel()).openai()
    history = [USER, assistant_calling("call_a"), tool_result("call_a", "shipped")]
    auto = client.chat.completions.create(model="wf-chat", messages=history, tools=TOOLS)
    assert auto.choices[0].message.content == "Tool said: shipped"
    none = client.chat.completions.create(
        model="wf-chat", messages=[{"role": "user", "content": "get_order A1"}], tools=TOOLS, tool_choice="none"
    )
    assert none.choices[0].message.tool_calls is None and none.choices[0].finish_reason == "stop"


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "not-strict"])
def test_tool_arguments_satisfy_the_tools_schema(strict: bool) -> None:
    tool = openai.pydantic_function_tool(Lookup)
    if not strict:
        tool["function"].pop("strict", None)
        tool["function"]["parameters"] = Lookup.model_json_schema()
    client = MockProvider(EchoModel()).openai()
    out = client.chat.completions.create(
        model="wf-chat", messages=[USER], tools=[tool], tool_choice={"type": "function", "function": {"name": "Lookup"}}
    )
    args = Lookup.model_validate_json(out.choices[0].message.tool_calls[0].function.arguments)
    assert args.priority == "low" and 2 <= args.quantity <= 9 and len(args.ship_to.postcode) == 5
    assert args.tags and args.order_id == USER["content"]


def test_the_sdks_parse_helper_gets_parsed_tool_arguments() -> None:
    client = MockProvider(EchoModel()).openai()
    out = client.chat.completions.parse(
        model="wf-chat", messages=[USER], tools=[openai.pydantic_function_tool(Lookup)], tool_choice="required"
    )
    parsed = out.choices[0].message.tool_calls[0].function.parsed_arguments
    assert isinstance(parsed, Lookup) and isinstance(parsed.ship_to, Address)


def test_a_scheduled_429_reports_the_same_budget_as_the_answers_around_it() -> None:
    from weekfour.types import FaultWindow

    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 10, "rate_limit", retry_after=1.0)])
    client = provider.openai(max_retries=0)
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model="wf-chat", messages=[USER])
    limited = info.value.response.headers
    assert all(h in limited for h in RATE_HEADERS) and limited["x-ratelimit-remaining-requests"] == "0"
    provider.clock.advance_to(20)
    ok = client.chat.completions.with_raw_response.create(model="wf-chat", messages=[USER])
    assert ok.headers["x-ratelimit-limit-requests"] == limited["x-ratelimit-limit-requests"]
