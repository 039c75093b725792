"""A tiny ChatModel that repeats what it was told: enough to exercise every part of the wire format.

- the last user message comes back as ``"You said: <text>"`` (its echo carries ``logprob``);
- with ``tools`` (and ``tool_choice`` not ``"none"``) it calls the tool named in the message, the forced tool, or
  (``"required"``) the first tool, with ``{"text": <message>}`` as arguments;
- after a tool result it answers ``"Tool said: <result>"``;
- with ``response_format`` json_schema it answers JSON that fits the schema, with json_object ``{"echo": ...}``;
- a message containing ``REFUSE`` gets a refusal.
"""

from __future__ import annotations

import json
from typing import Any

from weekfour.types import ChatRequest, ModelTurn, Span, ToolCall, TurnContext

__all__ = ["EchoModel"]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _fill(schema: dict[str, Any], text: str, defs: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return _fill(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}), text, defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema and schema[key]:
            return _fill(schema[key][0], text, defs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _fill(sub, text, defs) for name, sub in props.items()}
    if kind == "array":
        return []
    if kind == "integer":
        return len(text)
    if kind == "number":
        return 0.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return text


class EchoModel:
    """Deterministic and dumb on purpose; see the module docstring for what it answers."""

    def __init__(self, *, logprob: float = -0.01, prefix: str = "You said: ") -> None:
        self.logprob = logprob
        self.prefix = prefix

    def respond(self, request: ChatRequest, ctx: TurnContext) -> ModelTurn:
        last = request.messages[-1]
        text = _text(last.get("content"))
        if last.get("role") == "tool":
            return ModelTurn(spans=[Span("Tool said: "), Span(text, self.logprob)])
        if "REFUSE" in text:
            return ModelTurn(refusal="I'm sorry, I can't help with that.")
        call = self._tool_call(request, text, ctx)
        if call is not None:
            return ModelTurn(tool_calls=[call])
        fmt = request.response_format or {}
        if fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema", {})
            schema = spec.get("schema") or {}
            value = _fill(schema, text, schema.get("$defs", {}))
            return ModelTurn(spans=[Span(json.dumps(value), self.logprob)])
        if fmt.get("type") == "json_object":
            return ModelTurn(spans=[Span(json.dumps({"echo": text}), self.logprob)])
        return ModelTurn(spans=[Span(self.prefix), Span(text, self.logprob)])

    def _tool_call(self, request: ChatRequest, text: str, ctx: TurnContext) -> ToolCall | None:
        tools = request.tools or []
        choice = request.tool_choice
        if not tools or choice == "none":
            return None
        names = [t["function"]["name"] for t in tools]
        if isinstance(choice, dict):
            name = choice["function"]["name"]
        else:
            name = next((n for n in names if n in text), None)
            if name is None and choice == "required":
                name = names[0]
        if name is None:
            return None
        call_id = "call_" + "".join(ctx.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))
        return ToolCall(call_id, name, json.dumps({"text": text}))
