"""Clients nobody here wrote, driven against the mock: litellm, langchain-openai and (when it installs) instructor.

Each one: a completion, a tools round trip, structured output, streaming with usage, and one error mapped to its own
exception class. Nothing here may reach a network: litellm reads its model cost map from the package (the
``LITELLM_LOCAL_MODEL_COST_MAP`` switch is set before it is imported), and every test runs with sockets that refuse
to connect, so a client that tried to phone home would fail the test instead of waiting on it.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any, Literal

import openai
import pytest
from pydantic import BaseModel, ConfigDict, Field

from weekfour.provider import EchoModel, MockProvider

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # before litellm is imported: no cost map from the network

pytestmark = [
    # litellm leaves an event loop of its own unclosed, and both libraries warn about their own deprecations.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

INSTRUCTOR_CONFLICT = (
    "instructor is not in the test extra: no release installs beside the project's pins (from 1.9 on it declares "
    "rich<15, the project pins rich 15; 1.17 also declares jiter<0.15, which openai 3.57 excludes; older releases "
    "conflict too). Installed with --no-deps, 1.17 passes these tests"
)

QUESTION = "where is order A1043?"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_order",
            "description": "Look an order up by id",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string"}},
                "required": ["order_id"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    }
]


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: str
    postcode: str = Field(min_length=5, max_length=5)


class Lookup(BaseModel):
    """An order lookup the model fills in."""

    model_config = ConfigDict(extra="forbid")
    order_id: str
    priority: Literal["low", "high"]
    quantity: int = Field(ge=1, le=9)
    tags: list[str]
    ship_to: Address


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"a client tried to reach the network ({address!r}); everything must stay offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture
def provider() -> MockProvider:
    return MockProvider(EchoModel())


def orphan_tool_result() -> list[dict[str, Any]]:
    return [{"role": "user", "content": QUESTION}, {"role": "tool", "tool_call_id": "call_nobody", "content": "{}"}]


# -- litellm ---------------------------------------------------------------------------------------------------------
@pytest.fixture
def litellm_call(provider: MockProvider) -> Any:
    litellm = pytest.importorskip("litellm")

    def call(**kwargs: Any) -> Any:
        kwargs.setdefault("model", "openai/wf-chat")
        return litellm.completion(
            api_key=provider.api_key, api_base=provider.base_url, client=provider.openai(max_retries=0), **kwargs
        )

    return call


def test_litellm_completion(litellm_call: Any, provider: MockProvider) -> None:
    out = litellm_call(messages=[{"role": "user", "content": QUESTION}])
    assert out.choices[0].message.content == f"You said: {QUESTION}"
    assert out.usage.prompt_tokens == provider.log[0].prompt_tokens
    assert out.usage.completion_tokens == provider.log[0].completion_tokens


def test_litellm_tools_round_trip(litellm_call: Any) -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": f"get_order {QUESTION}"}]
    first = litellm_call(messages=messages, tools=TOOLS)
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls" and call.function.name == "get_order"
    assert json.loads(call.function.arguments) == {"order_id": f"get_order {QUESTION}"}
    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": '{"status": "shipped"}'})
    second = litellm_call(messages=messages, tools=TOOLS)
    assert second.choices[0].message.content == 'Tool said: {"status": "shipped"}'


def test_litellm_structured_output(litellm_call: Any) -> None:
    out = litellm_call(messages=[{"role": "user", "content": QUESTION}], response_format=Lookup)
    parsed = Lookup.model_validate_json(out.choices[0].message.content)
    assert parsed.order_id == QUESTION and parsed.priority == "low"


def test_litellm_streaming_with_usage(litellm_call: Any) -> None:
    stream = litellm_call(
        messages=[{"role": "user", "content": QUESTION}], stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    usage = next(u for c in reversed(chunks) if (u := getattr(c, "usage", None)) is not None)
    assert text == f"You said: {QUESTION}"
    assert usage.completion_tokens > 0 and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_litellm_maps_the_orphan_tool_result_400_to_its_bad_request_error(litellm_call: Any) -> None:
    from litellm.exceptions import BadRequestError

    with pytest.raises(BadRequestError) as info:
        litellm_call(messages=orphan_tool_result())
    assert "must be a response to a preceeding message with 'tool_calls'" in str(info.value)
    assert info.value.status_code == 400


# -- langchain-openai --------------------------------------------------------------------------------------------
@pytest.fixture
def chat(provider: MockProvider) -> Any:
    langchain_openai = pytest.importorskip("langchain_openai")
    return langchain_openai.ChatOpenAI(
        model="wf-chat",
        api_key=provider.api_key,
        base_url=provider.base_url,
        http_client=provider.client(),
        max_retries=0,
        stream_usage=True,
    )


def test_langchain_completion(chat: Any, provider: MockProvider) -> None:
    out = chat.invoke(QUESTION)
    assert out.content == f"You said: {QUESTION}"
    assert out.usage_metadata["input_tokens"] == provider.log[0].prompt_tokens
    assert out.response_metadata["finish_reason"] == "stop"


def test_langchain_tools_round_trip(chat: Any) -> None:
    from langchain_core.messages import HumanMessage, ToolMessage

    bound = chat.bind_tools(TOOLS)
    history: list[Any] = [HumanMessage(f"get_order {QUESTION}")]
    first = bound.invoke(history)
    assert first.tool_calls[0]["name"] == "get_order"
    assert first.tool_calls[0]["args"] == {"order_id": f"get_order {QUESTION}"}
    history += [first, ToolMessage('{"status": "shipped"}', tool_call_id=first.tool_calls[0]["id"])]
    assert bound.invoke(history).content == 'Tool said: {"status": "shipped"}'


@pytest.mark.parametrize("method", ["function_calling", "json_schema"])
def test_langchain_structured_output(chat: Any, method: str) -> None:
    parsed = chat.with_structured_output(Lookup, method=method).invoke(QUESTION)
    assert isinstance(parsed, Lookup) and isinstance(parsed.ship_to, Address)
    assert parsed.order_id == QUESTION and len(parsed.ship_to.postcode) == 5


def test_langchain_streaming_with_usage(chat: Any) -> None:
    total = None
    for chunk in chat.stream(QUESTION):
        total = chunk if total is None else total + chunk
    assert total is not None and total.content == f"You said: {QUESTION}"
    usage = total.usage_metadata
    assert usage["output_tokens"] > 0 and usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_langchain_raises_the_sdks_bad_request_error_for_an_orphan_tool_result(chat: Any) -> None:
    from langchain_core.messages import HumanMessage, ToolMessage

    with pytest.raises(openai.BadRequestError) as info:
        chat.invoke([HumanMessage(QUESTION), ToolMessage("{}", tool_call_id="call_nobody")])
    assert info.value.param == "messages.[1].role"


# -- instructor ------------------------------------------------------------------------------------------------------
@pytest.fixture
def instructor_client(provider: MockProvider) -> Any:
    instructor = pytest.importorskip("instructor", reason=INSTRUCTOR_CONFLICT)
    if not hasattr(instructor, "from_openai"):  # a folder of that name, not the package
        pytest.skip(INSTRUCTOR_CONFLICT)
    return instructor.from_openai(provider.openai(max_retries=0), mode=instructor.Mode.TOOLS)


def test_instructor_structured_output_needs_no_reask(instructor_client: Any, provider: MockProvider) -> None:
    out = instructor_client.chat.completions.create(
        model="wf-chat", response_model=Lookup, messages=[{"role": "user", "content": QUESTION}], max_retries=1
    )
    assert isinstance(out, Lookup) and len(provider.log) == 1


def test_instructor_wraps_the_orphan_tool_result_400_and_does_not_retry_it(
    instructor_client: Any, provider: MockProvider
) -> None:
    with pytest.raises(Exception) as info:  # instructor's own retry error, raised from the SDK's
        instructor_client.chat.completions.create(
            model="wf-chat", response_model=Lookup, messages=orphan_tool_result(), max_retries=3
        )
    cause = info.value if isinstance(info.value, openai.BadRequestError) else info.value.__cause__
    assert isinstance(cause, openai.BadRequestError) and cause.param == "messages.[1].role"
    assert len(provider.log) == 1
