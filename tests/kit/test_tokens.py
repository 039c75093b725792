"""weekfour.tokens: a deterministic, download-free approximation of a BPE token count."""

from __future__ import annotations

import pytest

from weekfour.tokens import (
    MESSAGE_OVERHEAD_TOKENS,
    REPLY_PRIMING_TOKENS,
    count_message_tokens,
    count_tokens,
    split_tokens,
    truncate_tokens,
)

SAMPLES = [
    "",
    " ",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "internationalization and antidisestablishmentarianism",
    "Order #A-1043 shipped on 2026-03-02; total $1,234.56 (incl. VAT).",
    "line one\n\n    indented line\ttab\r\n",
    "日本語のテキストです。",
    "Привет, как дела? Ελληνικά κείμενα.",
    "café crème brûlée — naïve façade",
    "emoji 🎉🎉 and symbols ≥≤ «quotes»",
    "snake_case_name(__init__) -> None",
    '{"order_id": "A-1043", "status": "shipped"}',
]


@pytest.mark.parametrize("text", SAMPLES)
def test_split_round_trips_and_matches_count(text: str) -> None:
    tokens = split_tokens(text)
    assert "".join(tokens) == text
    assert len(tokens) == count_tokens(text)
    assert all(tokens)  # no empty tokens


def test_english_prose_is_about_four_characters_per_token() -> None:
    prose = (
        "Engineers who ship AI features learn quickly that the demo is the easy part. Production brings inputs "
        "nobody anticipated, a context window that fills in the middle of a conversation, and rate limits at two "
        "in the morning. This course breaks a toy agent in each of these ways and then fixes it."
    )
    ratio = len(prose) / count_tokens(prose)
    assert 3.5 <= ratio <= 5.0


def test_a_word_with_its_space_is_one_token() -> None:
    assert split_tokens("hello there") == ["hello", " there"]


def test_long_words_cost_more_than_short_ones() -> None:
    assert count_tokens("antidisestablishmentarianism") > count_tokens("cat") == 1


def test_numbers_split_in_groups_of_three_digits() -> None:
    assert split_tokens("1234567") == ["123", "456", "7"]


def test_cjk_costs_a_token_per_character() -> None:
    text = "日本語のテキスト"
    assert count_tokens(text) == len(text)


def test_other_scripts_cost_more_per_character_than_english() -> None:
    english = "how are you doing today"
    russian = "как у тебя дела сегодня"
    assert len(russian) / count_tokens(russian) < len(english) / count_tokens(english)


def test_deterministic() -> None:
    text = " ".join(SAMPLES) * 3
    assert split_tokens(text) == split_tokens(text)
    assert count_tokens(text) == count_tokens(text[:]) > 0


def test_count_grows_with_text() -> None:
    assert count_tokens("word " * 10_000) >= 10_000
    assert count_tokens("x" * 40_000) >= 40_000 // 5


@pytest.mark.parametrize("n", [0, 1, 3, 7, 1000])
def test_truncate_keeps_a_prefix_of_at_most_n_tokens(n: int) -> None:
    text = "The quick brown fox jumps over the lazy dog, again and again."
    cut = truncate_tokens(text, n)
    assert text.startswith(cut)
    assert count_tokens(cut) == min(n, count_tokens(text))


@pytest.mark.parametrize("n", [1, 2, 5, 17, 200, 4_000, 30_000])
def test_truncate_is_the_first_n_tokens_of_every_kind_of_text(n: int) -> None:
    # long words cut into pieces, digit groups, punctuation runs, CJK, whitespace runs; long enough to be cached
    text = ("Supercalifragilistic 1234567 !!!??? 東京タワー  \n\t Ünïcödé wörds, Привет мир; " * 400)[: 5_000 + n]
    tokens = split_tokens(text)
    assert truncate_tokens(text, n) == "".join(tokens[:n])
    assert truncate_tokens(text, n) == "".join(tokens[:n])  # the second, cached answer is the same
    assert truncate_tokens(text, len(tokens)) == text


def test_message_overhead_like_the_real_api() -> None:
    one = [{"role": "user", "content": "hello"}]
    expected = REPLY_PRIMING_TOKENS + MESSAGE_OVERHEAD_TOKENS + count_tokens("user") + count_tokens("hello")
    assert count_message_tokens(one) == expected
    two = [{"role": "system", "content": "be brief"}, *one]
    assert count_message_tokens(two) - count_message_tokens(one) == (
        MESSAGE_OVERHEAD_TOKENS + count_tokens("system") + count_tokens("be brief")
    )


def test_message_tokens_count_tool_calls_content_parts_and_tools() -> None:
    base = [{"role": "user", "content": "look up A-1043"}]
    with_call = [
        *base,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_order", "arguments": '{"id":"A-1043"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"status": "shipped"}'},
    ]
    assert count_message_tokens(with_call) > count_message_tokens(base) + count_tokens('{"status": "shipped"}')
    parts = [{"role": "user", "content": [{"type": "text", "text": "look up A-1043"}]}]
    assert count_message_tokens(parts) == count_message_tokens(base)
    tools = [{"type": "function", "function": {"name": "get_order", "parameters": {"type": "object"}}}]
    assert count_message_tokens(base, tools) > count_message_tokens(base)


def test_malformed_messages_are_counted_not_raised_on() -> None:
    weird = [{"role": 3, "content": {"unexpected": True}}, "not a dict", {"tool_calls": [None, {"function": 1}]}]
    assert count_message_tokens(weird) > REPLY_PRIMING_TOKENS
