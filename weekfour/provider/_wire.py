"""Request parsing: wire JSON -> :class:`~weekfour.types.ChatRequest`, or the 400 the real API would answer.

Nothing here raises anything but :class:`ApiError`: a malformed request is the client's problem, and the client is
told so the way the real API tells it.
"""

from __future__ import annotations

import json
from typing import Any, TypeGuard

from weekfour.provider._errors import ApiError
from weekfour.types import ChatRequest

__all__ = ["MAX_N", "choices_wanted", "parse_chat_request"]

_ROLES = ("system", "developer", "user", "assistant", "tool", "function")

# Fields the real API accepts that the mock reads (above) or accepts and ignores (below).
_IGNORED_FIELDS = frozenset(
    {
        "frequency_penalty",
        "presence_penalty",
        "logit_bias",
        "user",
        "metadata",
        "store",
        "parallel_tool_calls",
        "service_tier",
        "top_p",
        "modalities",
        "audio",
        "prediction",
        "reasoning_effort",
        "verbosity",
        "safety_identifier",
        "prompt_cache_key",
        "prompt_cache_retention",
        "web_search_options",
        "functions",
        "function_call",
        "moderation",  # no moderation runs offline
        "prompt_cache_options",  # nothing is cached: cached_tokens stays 0
    }
)
_READ_FIELDS = frozenset(
    {
        "model",
        "messages",
        "tools",
        "tool_choice",
        "response_format",
        "max_completion_tokens",
        "max_tokens",
        "stream",
        "stream_options",
        "logprobs",
        "top_logprobs",
        "seed",
        "temperature",
        "stop",
        "n",
    }
)
MAX_N = 128

_NOT_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
    "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)

_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _invalid_type(param: str, expected: str, value: Any) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {_type_name(value)} instead.",
        param=param,
        code="invalid_type",
    )


def _invalid_value(param: str, message: str) -> ApiError:
    return ApiError(400, message, param=param, code="invalid_value")


def _missing(param: str) -> ApiError:
    return ApiError(400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter")


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _opt_int(body: dict[str, Any], key: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if not _is_int(value):
        raise _invalid_type(key, "an integer", value)
    if minimum is not None and value < minimum:
        raise _invalid_value(
            key, f"Invalid '{key}': integer below minimum value. Expected a value >= {minimum}, but got {value}."
        )
    if maximum is not None and value > maximum:
        raise _invalid_value(
            key, f"Invalid '{key}': integer above maximum value. Expected a value <= {maximum}, but got {value}."
        )
    return value


def _opt_bool(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _invalid_type(key, "a boolean", value)
    return value


def _check_messages(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list):
        raise _invalid_type("messages", "an array", messages)
    if not messages:
        raise _invalid_value(
            "messages", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got 0."
        )
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise _invalid_type(where, "an object", msg)
        role = msg.get("role")
        if role is None:
            raise _missing(f"{where}.role")
        if role not in _ROLES:
            supported = ", ".join(f"'{r}'" for r in _ROLES)
            raise _invalid_value(f"{where}.role", f"Invalid value: '{role}'. Supported values are: {supported}.")
        content = msg.get("content")
        if content is not None and not isinstance(content, str | list):
            raise _invalid_type(f"{where}.content", "one of a string or array of objects", content)
        if content is None and role in ("system", "developer", "user", "tool"):
            raise _missing(f"{where}.content")
        if (
            role == "assistant"
            and content is None
            and not any(msg.get(k) for k in ("tool_calls", "function_call", "refusal", "audio"))
        ):
            raise ApiError(
                400,
                "Invalid value for 'content': expected a string, got null.",
                param=f"messages.[{i}].content",
                code="invalid_value",
            )
        if role == "tool" and not isinstance(msg.get("tool_call_id"), str):
            raise _missing(f"{where}.tool_call_id")
        calls = msg.get("tool_calls")
        if calls is not None:
            if role != "assistant":
                raise _invalid_value(f"{where}.tool_calls", "Only assistant messages can have 'tool_calls'.")
            if not isinstance(calls, list):
                raise _invalid_type(f"{where}.tool_calls", "an array", calls)
            for j, call in enumerate(calls):
                fn = call.get("function") if isinstance(call, dict) else None
                if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                    raise _missing(f"{where}.tool_calls[{j}].function.name")
                if not isinstance(fn.get("arguments"), str):
                    raise _invalid_type(f"{where}.tool_calls[{j}].function.arguments", "a string", fn.get("arguments"))
                if not isinstance(call.get("id"), str):
                    raise _missing(f"{where}.tool_calls[{j}].id")
    _check_sequence(messages)
    return messages


_TOOL_WITHOUT_CALL = (
    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
)
_CALLS_WITHOUT_TOOL = (
    "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. "
    "The following tool_call_ids did not have response messages: {ids}"
)


def _check_sequence(messages: list[dict[str, Any]]) -> None:
    """Tool results answer the calls of the assistant message just before them, every call, before anything else.

    The API's own words and ``param`` (``messages.[i].role``, with its dot): a ``tool`` message that answers no call
    of the preceding assistant ``tool_calls`` message, and an assistant ``tool_calls`` message whose calls are not all
    answered before the next message that is not a tool result, are 400 ``invalid_request_error``.
    """
    pending: dict[str, None] = {}  # call ids still unanswered, in the order they were made
    open_at: int | None = None  # index of the assistant message whose calls the tool messages may answer

    def unanswered(at: int) -> ApiError:
        return ApiError(400, _CALLS_WITHOUT_TOOL.format(ids=", ".join(pending)), param=f"messages.[{at}].role")

    for i, msg in enumerate(messages):
        if msg["role"] == "tool":
            call_id = msg["tool_call_id"]
            if open_at is None or call_id not in pending:
                raise ApiError(400, _TOOL_WITHOUT_CALL, param=f"messages.[{i}].role")
            del pending[call_id]
            continue
        if pending:
            raise unanswered(open_at if open_at is not None else i)
        open_at = None
        calls = msg.get("tool_calls") if msg["role"] == "assistant" else None
        if calls:
            open_at = i
            pending = {str(c.get("id")): None for c in calls}
    if pending:
        raise unanswered(open_at if open_at is not None else len(messages) - 1)


def _check_tools(tools: Any) -> list[dict[str, Any]] | None:
    if tools is None:
        return None
    if not isinstance(tools, list):
        raise _invalid_type("tools", "an array", tools)
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise _invalid_type(f"tools[{i}]", "an object", tool)
        if tool.get("type") != "function":
            raise _invalid_value(
                f"tools[{i}].type", f"Invalid value: '{tool.get('type')}'. Supported values are: 'function'."
            )
        fn = tool.get("function")
        if not isinstance(fn, dict):
            raise _missing(f"tools[{i}].function")
        if not isinstance(fn.get("name"), str) or not fn["name"]:
            raise _missing(f"tools[{i}].function.name")
    return tools


def _check_tool_choice(choice: Any, tools: list[dict[str, Any]] | None) -> str | dict[str, Any] | None:
    if choice is None:
        return None
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            raise _invalid_value(
                "tool_choice",
                f"Invalid value: '{choice}'. Supported values are: 'none', 'auto', and 'required'.",
            )
        if choice == "required" and not tools:
            raise _invalid_value(
                "tool_choice",
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
            )
        return choice
    if isinstance(choice, dict):
        fn = choice.get("function")
        if choice.get("type") != "function" or not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise _missing("tool_choice.function.name")
        names = {t["function"]["name"] for t in tools or ()}
        if fn["name"] not in names:
            raise _invalid_value(
                "tool_choice", f"Invalid value for 'tool_choice': tool '{fn['name']}' was not found in 'tools'."
            )
        return choice
    raise _invalid_type("tool_choice", "one of a string or object", choice)


def _check_response_format(fmt: Any, messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    if fmt is None:
        return None
    if not isinstance(fmt, dict):
        raise _invalid_type("response_format", "an object", fmt)
    kind = fmt.get("type")
    if kind not in ("text", "json_object", "json_schema"):
        raise _invalid_value(
            "response_format.type",
            f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object', and 'json_schema'.",
        )
    if kind == "json_schema":
        spec = fmt.get("json_schema")
        if not isinstance(spec, dict):
            raise _missing("response_format.json_schema")
        if not isinstance(spec.get("name"), str):
            raise _missing("response_format.json_schema.name")
    if kind == "json_object" and not any("json" in json.dumps(m.get("content")).lower() for m in messages):
        raise _invalid_value(
            "messages",
            "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        )
    return fmt


def _check_stop(stop: Any) -> list[str] | None:
    if stop is None:
        return None
    if isinstance(stop, str):
        return [stop]
    if isinstance(stop, list) and all(isinstance(s, str) for s in stop):
        if len(stop) > 4:
            raise _invalid_value("stop", f"Invalid 'stop': array too long. Expected at most 4, but got {len(stop)}.")
        return stop
    raise _invalid_type("stop", "one of a string or array of strings", stop)


def choices_wanted(request: ChatRequest) -> int:
    """``n``, validated by :func:`parse_chat_request`: how many choices the answer carries (1 when unset)."""
    n = request.raw.get("n")
    return n if isinstance(n, int) and n > 1 else 1


def parse_chat_request(content: bytes) -> ChatRequest:
    """Validate a Chat Completions body the way the API does; raise :class:`ApiError` (400) when it would."""
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, _NOT_JSON) from None
    if not isinstance(body, dict):
        raise ApiError(400, f"Invalid type for request body: expected an object, but got {_type_name(body)} instead.")

    for key in body:
        if key not in _READ_FIELDS and key not in _IGNORED_FIELDS:
            raise ApiError(400, f"Unrecognized request argument supplied: {key}", param=key)

    model = body.get("model")
    if model is None:
        raise _missing("model")
    if not isinstance(model, str):
        raise _invalid_type("model", "a string", model)
    if "messages" not in body:
        raise _missing("messages")
    messages = _check_messages(body["messages"])
    tools = _check_tools(body.get("tools"))
    tool_choice = _check_tool_choice(body.get("tool_choice"), tools)
    response_format = _check_response_format(body.get("response_format"), messages)

    max_completion_tokens = _opt_int(body, "max_completion_tokens", minimum=1)
    max_tokens = _opt_int(body, "max_tokens", minimum=1)
    stream = _opt_bool(body, "stream")
    stream_options = body.get("stream_options")
    include_usage = False
    if stream_options is not None:
        if not stream:
            raise _invalid_value(
                "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled."
            )
        if not isinstance(stream_options, dict):
            raise _invalid_type("stream_options", "an object", stream_options)
        include_usage = bool(stream_options.get("include_usage", False))
    logprobs = _opt_bool(body, "logprobs")
    top_logprobs = _opt_int(body, "top_logprobs", minimum=0, maximum=20)
    if top_logprobs is not None and not logprobs:
        raise _invalid_value(
            "top_logprobs",
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
        )
    seed = _opt_int(body, "seed")
    temperature = body.get("temperature")
    if temperature is not None:
        if not _is_number(temperature):
            raise _invalid_type("temperature", "a number", temperature)
        if not 0 <= temperature <= 2:
            raise _invalid_value(
                "temperature",
                "Invalid 'temperature': decimal out of range. Expected a value between 0 and 2, but got "
                f"{temperature}.",
            )
    _opt_int(body, "n", minimum=1, maximum=MAX_N)  # the provider answers with that many choices

    return ChatRequest(
        model=model,
        messages=messages,
        tools=tools,
        tool_choice=tool_choice,
        response_format=response_format,
        max_completion_tokens=max_completion_tokens,
        max_tokens=max_tokens,
        stream=stream,
        include_usage=include_usage,
        logprobs=logprobs,
        top_logprobs=top_logprobs,
        seed=seed,
        temperature=float(temperature) if temperature is not None else None,
        stop=_check_stop(body.get("stop")),
        raw=body,
    )
