"""A token counter that needs no download: deterministic, fast, and an *approximation* of a BPE tokenizer.

Real models count tokens with a byte-pair encoding (tiktoken's ``o200k_base`` and friends). The course only needs
counts that behave like the real ones, so this module splits text with a few rules instead of a vocabulary:

- a word with its leading space is one token (``" hello"``); long words split into pieces of about five letters,
- numbers split into groups of up to three digits,
- a run of punctuation is one token per two characters, a run of whitespace is one token,
- CJK characters cost a token each, and letters of other non-Latin scripts a token per two characters.

For English prose that gives about four characters per token, as OpenAI's own rule of thumb says. Counts differ from
a real tokenizer by a few percent; never use them to bill anyone.

``"".join(split_tokens(text)) == text`` and ``len(split_tokens(text)) == count_tokens(text)`` always hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

__all__ = [
    "MESSAGE_OVERHEAD_TOKENS",
    "REPLY_PRIMING_TOKENS",
    "count_message_tokens",
    "count_tokens",
    "split_tokens",
    "truncate_tokens",
]

MESSAGE_OVERHEAD_TOKENS = 3  # each message costs its role/separator tokens, like the real chat format
REPLY_PRIMING_TOKENS = 3  # every reply is primed with <|start|>assistant<|message|>
_TOOLS_OVERHEAD_TOKENS = 12  # the tools preamble the API adds once when tools are sent

_WORD_PIECE = 5  # letters per token inside a long Latin word
_LONG_WORD = 8  # Latin words up to this many letters are one token
_PUNCT_PIECE = 2

# One pre-token: a word (optionally with its leading space), a digit group, a punctuation run, or whitespace.
_PRETOKEN = re.compile(
    r" ?[^\W\d_]+"  # letters of any script, with an optional leading space
    r"| ?\d{1,3}"  # digits, three at a time
    r"| ?[^\s\w]+|_+"  # punctuation and symbols
    r"|\s+(?!\S)|\s+",  # whitespace: trailing run, or the run before a word (the word keeps one space)
)

# Scripts where one character is (at least) one token: CJK ideographs, kana, hangul, fullwidth forms.
_CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _pieces(token: str) -> list[str]:
    """Split one pre-token into the final tokens it costs."""
    core = token[1:] if token[:1] == " " else token
    if not core:
        return [token]
    first = core[0]
    if first.isalpha():
        if _CJK.search(core):
            lead = token[: len(token) - len(core)]
            return [lead + core[0], *core[1:]]
        if not core.isascii():
            # Latin with accents stays near Latin cost; other scripts (Cyrillic, Greek, Arabic...) cost more.
            latinish = sum(1 for ch in core if ch.isascii() or "\u00c0" <= ch <= "\u024f")
            step = _WORD_PIECE if latinish * 2 >= len(core) else 2
            long_word = _LONG_WORD if step == _WORD_PIECE else 2
        else:
            step, long_word = _WORD_PIECE, _LONG_WORD
        if len(core) <= long_word:
            return [token]
        cut = len(token) - len(core) + step
        return [token[:cut]] + [token[i : i + step] for i in range(cut, len(token), step)]
    if first.isspace() or first.isdigit():
        return [token]
    # punctuation / symbols: two characters per token
    if len(token) <= _PUNCT_PIECE:
        return [token]
    return [token[i : i + _PUNCT_PIECE] for i in range(0, len(token), _PUNCT_PIECE)]


@lru_cache(maxsize=65536)  # words repeat: a month of traffic has a few thousand distinct pre-tokens
def _token_pieces(token: str) -> tuple[str, ...]:
    if len(token) <= 2 and not _CJK.search(token):
        return (token,)
    return tuple(_pieces(token))


@lru_cache(maxsize=65536)
def _piece_count(token: str) -> int:
    return len(_token_pieces(token))


def _split(text: str) -> list[str]:
    out: list[str] = []
    for tok in _PRETOKEN.findall(text):
        if len(tok) <= 2 and tok.isascii():
            out.append(tok)
        else:
            out.extend(_token_pieces(tok))
    return out


def _count(text: str) -> int:
    return sum(1 if len(tok) <= 2 and tok.isascii() else _piece_count(tok) for tok in _PRETOKEN.findall(text))


_CACHE_MAX_CHARS = 4096  # short strings (messages repeat in every turn) get a large cache; long pastes a small one


@lru_cache(maxsize=4096)
def _count_cached(text: str) -> int:
    return _count(text)


@lru_cache(maxsize=64)  # a pasted codebase is re-sent with every turn of its conversation: count it once
def _count_long_cached(text: str) -> int:
    return _count(text)


def split_tokens(text: str) -> list[str]:
    """The tokens of ``text``, in order; they concatenate back to ``text`` exactly."""
    return _split(text)


def count_tokens(text: str) -> int:
    """How many tokens ``text`` costs (approximately what the real API would bill)."""
    if not text:
        return 0
    if len(text) <= _CACHE_MAX_CHARS:
        return _count_cached(text)
    return _count_long_cached(text)


def _truncate(text: str, n: int) -> str:
    # Pre-tokens tile the text, so the cut is where the n-th token ends: read no further than that.
    taken = 0
    for match in _PRETOKEN.finditer(text):
        tok = match.group()
        pieces = (tok,) if len(tok) <= 2 and tok.isascii() else _token_pieces(tok)
        if taken + len(pieces) >= n:
            return text[: match.start()] + "".join(pieces[: n - taken])
        taken += len(pieces)
    return text


@lru_cache(maxsize=64)  # a guard cuts the same pasted file at every turn of its conversation
def _truncate_long_cached(text: str, n: int) -> str:
    return _truncate(text, n)


def truncate_tokens(text: str, n: int) -> str:
    """The longest prefix of ``text`` that fits in ``n`` tokens."""
    if n <= 0:
        return ""
    if len(text) <= n:  # every token holds at least one character
        return text
    if len(text) > _CACHE_MAX_CHARS:
        return _truncate_long_cached(text, n)
    return _truncate(text, n)


def _content_tokens(content: Any) -> int:
    if content is None:
        return 0
    if isinstance(content, str):
        return count_tokens(content)
    if isinstance(content, Sequence):
        total = 0
        for part in content:
            if isinstance(part, Mapping):
                if isinstance(part.get("text"), str):
                    total += count_tokens(part["text"])
                elif isinstance(part.get("refusal"), str):
                    total += count_tokens(part["refusal"])
                else:
                    total += 85  # an image or other attachment: the API's flat low-detail price
            elif isinstance(part, str):
                total += count_tokens(part)
        return total
    return count_tokens(str(content))


def count_message_tokens(
    messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]] | None = None
) -> int:
    """Prompt tokens of a Chat Completions request: content plus the per-message overhead the real API adds.

    Each message costs ``MESSAGE_OVERHEAD_TOKENS`` plus its role, content, name and tool calls; the reply is primed
    with ``REPLY_PRIMING_TOKENS``; tool definitions cost their JSON plus a fixed preamble. Malformed entries are
    counted as far as they go, never raised on.
    """
    total = REPLY_PRIMING_TOKENS
    for msg in messages:
        if not isinstance(msg, Mapping):
            total += MESSAGE_OVERHEAD_TOKENS + count_tokens(str(msg))
            continue
        total += MESSAGE_OVERHEAD_TOKENS
        role = msg.get("role")
        if isinstance(role, str):
            total += count_tokens(role)
        total += _content_tokens(msg.get("content"))
        name = msg.get("name")
        if isinstance(name, str):
            total += 1 + count_tokens(name)
        for call in msg.get("tool_calls") or ():
            if not isinstance(call, Mapping):
                continue
            fn = call.get("function")
            if isinstance(fn, Mapping):
                total += 3 + count_tokens(str(fn.get("name", ""))) + count_tokens(str(fn.get("arguments", "")))
        call_id = msg.get("tool_call_id")
        if isinstance(call_id, str):
            total += 1
    if tools:
        total += _TOOLS_OVERHEAD_TOKENS + count_tokens(json.dumps(list(tools), separators=(",", ":"), default=str))
    return total
