"""A tiny ChatModel that repeats what it was told: enough to exercise every part of the wire format.

- the last user message comes back as ``"You said: <text>"`` (its echo carries ``logprob``);
- with ``tools`` it calls a tool as ``tool_choice`` says: a named function is always called (after a tool result
  too), ``"required"`` calls the tool named in the message or else the first one (after a tool result too),
  ``"auto"`` (or unset) calls the tool named in the message unless it is answering a tool result, ``"none"`` never
  calls one;
- the arguments fit the tool's parameter schema (strict or not): every property (the required ones first), of its
  type, inside its enum, bounds and lengths, nested objects and arrays filled the same way, strings from the message;
- after a tool result it answers ``"Tool said: <result>"``;
- with ``response_format`` json_schema it answers JSON that fits the schema, with json_object ``{"echo": ...}``;
- a message containing ``REFUSE`` gets a refusal.
"""

from __future__ import annotations

import json
from typing import Any

from weekfour.types import ChatRequest, ModelTurn, Span, ToolCall, TurnContext

__all__ = ["EchoModel", "fill_schema"]

_FORMATS = {
    "date-time": "2026-01-15T00:00:00Z",
    "date": "2026-01-15",
    "time": "00:00:00",
    "email": "echo@example.com",
    "uri": "https://example.com/echo",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _string(schema: dict[str, Any], text: str) -> str:
    if schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]]
    value = text
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(high, int):
        value = value[:high]
    if isinstance(low, int) and len(value) < low:
        value = value + "x" * (low - len(value))
    return value


def _number(schema: dict[str, Any], value: float) -> float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if isinstance(low, int | float) and value < low:
        value = low if "minimum" in schema else low + 1
    if isinstance(high, int | float) and value > high:
        value = high if "maximum" in schema else high - 1
    return value


def fill_schema(schema: dict[str, Any], text: str, defs: dict[str, Any] | None = None) -> Any:
    """A value valid under ``schema`` (the JSON-schema subset structured outputs use), built from ``text``."""
    defs = defs if defs is not None else schema.get("$defs", schema.get("definitions", {}))
    if "$ref" in schema:
        return fill_schema(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), text, defs)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = [o for o in schema.get(key) or () if isinstance(o, dict)]
        if options:  # the first alternative that is not null: a real value where one is allowed
            chosen = next((o for o in options if o.get("type") != "null"), options[0])
            return fill_schema(chosen, text, defs)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(part if "$ref" not in part else defs.get(part["$ref"].rsplit("/", 1)[-1], {}))
        return fill_schema(merged, text, defs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        props: dict[str, Any] = schema.get("properties") or {}
        required = [name for name in schema.get("required") or () if name in props]
        order = [*required, *(name for name in props if name not in required)]
        return {name: fill_schema(props[name], text, defs) for name in order}
    if kind == "array":
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        count = max(1, int(schema.get("minItems", 1)))
        if isinstance(schema.get("maxItems"), int):
            count = min(count, schema["maxItems"])
        return [fill_schema(items, text, defs) for _ in range(count)]
    if kind == "integer":
        return int(_number(schema, len(text)))
    if kind == "number":
        return float(_number(schema, 0.5))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, text)


class EchoModel:
    """Deterministic and dumb on purpose; see the module docstring for what it answers."""

    def __init__(self, *, logprob: float = -0.01, prefix: str = "You said: ") -> None:
        self.logprob = logprob
        self.prefix = prefix

    def respond(self, request: ChatRequest, ctx: TurnContext) -> ModelTurn:
        last = request.messages[-1]
        text = _text(last.get("content"))
        after_tool = last.get("role") == "tool"
        if not after_tool and "REFUSE" in text:
            return ModelTurn(refusal="I'm sorry, I can't help with that.")
        call = self._tool_call(request, text, after_tool, ctx)
        if call is not None:
            return ModelTurn(tool_calls=[call])
        if after_tool:
            return ModelTurn(spans=[Span("Tool said: "), Span(text, self.logprob)])
        fmt = request.response_format or {}
        if fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema", {})
            value = fill_schema(spec.get("schema") or {}, text)
            return ModelTurn(spans=[Span(json.dumps(value), self.logprob)])
        if fmt.get("type") == "json_object":
            return ModelTurn(spans=[Span(json.dumps({"echo": text}), self.logprob)])
        return ModelTurn(spans=[Span(self.prefix), Span(text, self.logprob)])

    def _tool_call(self, request: ChatRequest, text: str, after_tool: bool, ctx: TurnContext) -> ToolCall | None:
        tools = request.tools or []
        choice = request.tool_choice
        if not tools or choice == "none":
            return None
        by_name = {t["function"]["name"]: t["function"] for t in tools}
        if isinstance(choice, dict):
            name: str | None = choice["function"]["name"]
        else:
            name = next((n for n in by_name if n in text), None)
            if choice == "required" and name is None:
                name = next(iter(by_name))
            elif choice != "required" and after_tool:
                name = None  # "auto" after a result: answer it
        if name is None:
            return None
        if after_tool:  # echo what the question was, not the tool's result
            text = next((_text(m.get("content")) for m in reversed(request.messages) if m.get("role") == "user"), text)
        schema = by_name[name].get("parameters") or {"type": "object", "properties": {}}
        call_id = "call_" + "".join(ctx.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))
        return ToolCall(call_id, name, json.dumps(fill_schema(schema, text)))
