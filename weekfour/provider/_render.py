"""ModelTurn -> the wire: the completion ceiling and stop sequences, then the JSON body or the SSE chunks."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from typing import Any

from weekfour.tokens import count_tokens, split_tokens, truncate_tokens
from weekfour.types import ModelTurn, ToolCall

__all__ = ["Shaped", "completion_body", "logprob_entry", "shape_turn", "span_tokens", "sse_chunks", "usage_body"]

_TOOL_CALL_OVERHEAD = 3  # tokens a tool call costs beyond its name and arguments


@dataclass(slots=True)
class Shaped:
    """A turn cut to what the API would actually send."""

    tokens: list[tuple[str, float]] = field(default_factory=list)  # content tokens with their logprobs
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    completion_tokens: int = 0


def span_tokens(turn: ModelTurn) -> list[tuple[str, float]]:
    """The content's tokens (``split_tokens`` of the whole content), each with the logprob of its span.

    A token that straddles two spans takes the lower logprob: an unsure fact stays unsure at its edges.
    """
    spans = turn.spans
    if not spans:
        return []
    if len(spans) == 1:
        lp = spans[0].logprob
        return [(tok, lp) for tok in split_tokens(spans[0].text)]
    bounds: list[tuple[int, float]] = []  # (end offset, logprob) per span
    end = 0
    for span in spans:
        end += len(span.text)
        bounds.append((end, span.logprob))
    out: list[tuple[str, float]] = []
    pos, i = 0, 0
    for tok in split_tokens("".join(s.text for s in spans)):
        stop = pos + len(tok)
        while bounds[i][0] <= pos:
            i += 1
        lp = bounds[i][1]
        j = i
        while bounds[j][0] < stop:
            j += 1
            lp = min(lp, bounds[j][1])
        out.append((tok, lp))
        pos = stop
    return out


def _cut_at_stop(tokens: list[tuple[str, float]], stop: list[str]) -> list[tuple[str, float]] | None:
    text = "".join(t for t, _ in tokens)
    cuts = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    if not cuts:
        return None
    limit = min(cuts)
    out: list[tuple[str, float]] = []
    pos = 0
    for tok, lp in tokens:
        if pos + len(tok) <= limit:
            out.append((tok, lp))
            pos += len(tok)
            continue
        if pos < limit:
            out.append((tok[: limit - pos], lp))
        break
    return out


def shape_turn(turn: ModelTurn, ceiling: int, stop: list[str] | None) -> Shaped:
    """Apply stop sequences and the completion ceiling: past the ceiling the answer is cut and ends in ``length``."""
    shaped = Shaped()
    if turn.refusal is not None:
        shaped.refusal = truncate_tokens(turn.refusal, ceiling)
        shaped.completion_tokens = count_tokens(shaped.refusal)
        shaped.finish_reason = "length" if shaped.refusal != turn.refusal else "stop"
        return shaped

    tokens = span_tokens(turn)
    stopped = False
    if stop and tokens:
        cut = _cut_at_stop(tokens, stop)
        if cut is not None:
            tokens, stopped = cut, True
    if len(tokens) > ceiling:
        shaped.tokens = tokens[:ceiling]
        shaped.content = "".join(t for t, _ in shaped.tokens)
        shaped.completion_tokens = ceiling
        shaped.finish_reason = "length"
        return shaped
    shaped.tokens = tokens
    shaped.content = "".join(t for t, _ in tokens) if (tokens or not turn.tool_calls) else None
    used = len(tokens)
    if stopped:
        shaped.completion_tokens = used
        return shaped

    for call in turn.tool_calls:
        head = _TOOL_CALL_OVERHEAD + count_tokens(call.name)
        args = count_tokens(call.arguments)
        if used + head + args > ceiling:
            room = max(ceiling - used - head, 0)
            shaped.tool_calls.append(ToolCall(call.id, call.name, truncate_tokens(call.arguments, room)))
            shaped.completion_tokens = ceiling
            shaped.finish_reason = "length"
            return shaped
        used += head + args
        shaped.tool_calls.append(call)
    shaped.completion_tokens = used
    shaped.finish_reason = "tool_calls" if shaped.tool_calls else "stop"
    return shaped


# -- logprobs ------------------------------------------------------------------------------------------------------
_FILLERS = (" the", " not", ".", ",", " a", " unknown", " I", " and", " no", " yes", " it", " maybe")


@functools.lru_cache(maxsize=8192)  # a month of answers repeats a few thousand tokens
def _alternatives(token: str) -> tuple[str, ...]:
    base = token.strip() or token
    lead = " " if token.startswith(" ") else ""
    cands = [
        lead + base.swapcase(),
        (base if lead else " " + base),
        lead + base.capitalize(),
        lead + base + "s",
        *_FILLERS,
    ]
    out: list[str] = []
    for c in cands:
        if c != token and c not in out:
            out.append(c)
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def _utf8(token: str) -> tuple[int, ...]:
    return tuple(token.encode("utf-8"))


def logprob_entry(token: str, logprob: float, top_n: int) -> dict[str, Any]:
    """One ``logprobs.content`` item; ``top_logprobs`` alternatives are deterministic and share the missing mass."""
    entry: dict[str, Any] = {"token": token, "logprob": logprob, "bytes": list(_utf8(token))}
    if top_n <= 0:
        entry["top_logprobs"] = []
        return entry
    rest = max(1.0 - math.exp(logprob), 1e-9)
    ranked = [(token, logprob)]
    for i, alt in enumerate(_alternatives(token)[: top_n - 1 if top_n > 1 else 1]):
        ranked.append((alt, math.log(rest * 0.55 * 0.45**i)))
    ranked.sort(key=lambda pair: -pair[1])
    entry["top_logprobs"] = [{"token": t, "logprob": lp, "bytes": list(_utf8(t))} for t, lp in ranked[:top_n]]
    return entry


# -- bodies --------------------------------------------------------------------------------------------------------
def usage_body(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _tool_call_body(call: ToolCall) -> dict[str, Any]:
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}


def _choices(shaped: Shaped | list[Shaped]) -> list[Shaped]:
    return [shaped] if isinstance(shaped, Shaped) else list(shaped)


def _message_choice(index: int, shaped: Shaped, logprobs: bool, top_logprobs: int) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": shaped.content,
        "refusal": shaped.refusal,
        "annotations": [],
    }
    if shaped.tool_calls:
        message["tool_calls"] = [_tool_call_body(c) for c in shaped.tool_calls]
    lp: dict[str, Any] | None = None
    if logprobs:
        lp = {
            "content": [logprob_entry(t, p, top_logprobs) for t, p in shaped.tokens] if shaped.content else None,
            "refusal": None,
        }
    return {"index": index, "message": message, "logprobs": lp, "finish_reason": shaped.finish_reason}


def completion_body(
    *,
    completion_id: str,
    created: int,
    snapshot: str,
    fingerprint: str,
    shaped: Shaped | list[Shaped],
    prompt_tokens: int,
    logprobs: bool,
    top_logprobs: int,
) -> dict[str, Any]:
    """The ``chat.completion`` object: one choice per shaped turn; usage counts the prompt once, every completion."""
    choices = _choices(shaped)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": snapshot,
        "choices": [_message_choice(i, c, logprobs, top_logprobs) for i, c in enumerate(choices)],
        "usage": usage_body(prompt_tokens, sum(c.completion_tokens for c in choices)),
        "service_tier": "default",
        "system_fingerprint": fingerprint,
    }


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


DONE = b"data: [DONE]\n\n"


def _deltas(shaped: Shaped, logprobs: bool, top_logprobs: int) -> list[tuple[dict[str, Any], str | None, Any]]:
    """One choice's stream after its role chunk: ``(delta, finish_reason, logprobs)`` per event, finish last."""
    out: list[tuple[dict[str, Any], str | None, Any]] = []
    if shaped.refusal is not None:
        out.extend(({"refusal": tok}, None, None) for tok in split_tokens(shaped.refusal))
    for tok, p in shaped.tokens:
        lp = {"content": [logprob_entry(tok, p, top_logprobs)], "refusal": None} if logprobs else None
        out.append(({"content": tok}, None, lp))
    for index, call in enumerate(shaped.tool_calls):
        start = {"index": index, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
        out.append(({"tool_calls": [start]}, None, None))
        out.extend(
            ({"tool_calls": [{"index": index, "function": {"arguments": tok}}]}, None, None)
            for tok in split_tokens(call.arguments)
        )
    out.append(({}, shaped.finish_reason, None))
    return out


def sse_chunks(
    *,
    completion_id: str,
    created: int,
    snapshot: str,
    fingerprint: str,
    shaped: Shaped | list[Shaped],
    prompt_tokens: int,
    logprobs: bool,
    top_logprobs: int,
    include_usage: bool,
    per_token_s: float,
) -> list[tuple[float, bytes]]:
    """The stream as ``(delay_before_s, event_bytes)``: role, content deltas, tool-call deltas, finish, usage, DONE.

    The first token leaves at the stream's start (its TTFT is spent before the headers); each further token waits
    ``per_token_s``, and so does the final chunk. With ``n`` choices every choice has its own role chunk and deltas
    (each chunk names its choice's ``index``); the choices are written side by side, one token of each per step.
    """
    head = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": snapshot,
        "service_tier": "default",
        "system_fingerprint": fingerprint,
    }
    usage_null = {"usage": None} if include_usage else {}

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None, lp: Any = None) -> bytes:
        choice = {"index": index, "delta": delta, "logprobs": lp, "finish_reason": finish}
        return _event({**head, "choices": [choice], **usage_null})

    choices = _choices(shaped)
    out: list[tuple[float, bytes]] = [
        (0.0, chunk(i, {"role": "assistant", "content": "", "refusal": None})) for i in range(len(choices))
    ]
    streams = [_deltas(c, logprobs, top_logprobs) for c in choices]
    for step in range(max(len(s) for s in streams)):
        delay = 0.0 if step == 0 else per_token_s
        for i, events in enumerate(streams):
            if step < len(events):
                delta, finish, lp = events[step]
                out.append((delay, chunk(i, delta, finish, lp)))
                delay = 0.0
    if include_usage:
        usage = usage_body(prompt_tokens, sum(c.completion_tokens for c in choices))
        out.append((0.0, _event({**head, "choices": [], "usage": usage})))
    out.append((0.0, DONE))
    return out
