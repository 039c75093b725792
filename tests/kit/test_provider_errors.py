"""weekfour.provider: every error the real API gives, with its status, body and headers — never a Python exception."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from weekfour.provider import EchoModel, MockProvider

USER = [{"role": "user", "content": "hello"}]


def send(
    body: Any, *, provider: MockProvider | None = None, raw: bytes | None = None, **headers: str
) -> httpx.Response:
    provider = provider or MockProvider(EchoModel())
    with provider.client(headers=headers) as client:
        if raw is not None:
            return client.post("/chat/completions", content=raw, headers={"content-type": "application/json"})
        return client.post("/chat/completions", json=body)


def error_of(resp: httpx.Response) -> dict[str, Any]:
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-request-id"].startswith("req_")
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def test_invalid_json_body() -> None:
    resp = send(None, raw=b'{"model": "wf-chat", "messages": [')
    assert resp.status_code == 400
    err = error_of(resp)
    assert err["type"] == "invalid_request_error" and err["code"] is None
    assert "could not parse the JSON body" in err["message"]


def test_body_must_be_an_object() -> None:
    err = error_of(send(["not", "an", "object"]))
    assert "expected an object" in err["message"]


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"messages": USER}, "model", "missing_required_parameter"),
        ({"model": "wf-chat"}, "messages", "missing_required_parameter"),
        ({"model": 42, "messages": USER}, "model", "invalid_type"),
        ({"model": "wf-chat", "messages": "hello"}, "messages", "invalid_type"),
        ({"model": "wf-chat", "messages": []}, "messages", "invalid_value"),
        ({"model": "wf-chat", "messages": [{"content": "hi"}]}, "messages[0].role", "missing_required_parameter"),
        ({"model": "wf-chat", "messages": [{"role": "wizard", "content": "hi"}]}, "messages[0].role", "invalid_value"),
        ({"model": "wf-chat", "messages": [{"role": "user", "content": 5}]}, "messages[0].content", "invalid_type"),
        ({"model": "wf-chat", "messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id", None),
        ({"model": "wf-chat", "messages": USER, "max_tokens": "100"}, "max_tokens", "invalid_type"),
        ({"model": "wf-chat", "messages": USER, "max_completion_tokens": 0}, "max_completion_tokens", "invalid_value"),
        ({"model": "wf-chat", "messages": USER, "temperature": 3}, "temperature", "invalid_value"),
        ({"model": "wf-chat", "messages": USER, "temperature": "hot"}, "temperature", "invalid_type"),
        ({"model": "wf-chat", "messages": USER, "stream": "yes"}, "stream", "invalid_type"),
        ({"model": "wf-chat", "messages": USER, "stream_options": {"include_usage": True}}, "stream_options", None),
        ({"model": "wf-chat", "messages": USER, "top_logprobs": 3}, "top_logprobs", "invalid_value"),
        ({"model": "wf-chat", "messages": USER, "logprobs": True, "top_logprobs": 21}, "top_logprobs", None),
        ({"model": "wf-chat", "messages": USER, "tools": [{"type": "web"}]}, "tools[0].type", "invalid_value"),
        ({"model": "wf-chat", "messages": USER, "tool_choice": "required"}, "tool_choice", "invalid_value"),
        ({"model": "wf-chat", "messages": USER, "response_format": {"type": "yaml"}}, "response_format.type", None),
        (
            {"model": "wf-chat", "messages": USER, "response_format": {"type": "json_schema"}},
            "response_format.json_schema",
            "missing_required_parameter",
        ),
        ({"model": "wf-chat", "messages": USER, "response_format": {"type": "json_object"}}, "messages", None),
        ({"model": "wf-chat", "messages": USER, "stop": ["a", "b", "c", "d", "e"]}, "stop", "invalid_value"),
        ({"model": "wf-chat", "messages": USER, "bogus_field": 1}, "bogus_field", None),
    ],
)
def test_malformed_requests_get_a_400_naming_the_param(body: dict[str, Any], param: str, code: str | None) -> None:
    resp = send(body)
    assert resp.status_code == 400
    err = error_of(resp)
    assert err["type"] == "invalid_request_error"
    assert err["param"] == param
    if code is not None:
        assert err["code"] == code
    assert err["message"]


def test_unknown_field_message_matches_the_api() -> None:
    err = error_of(send({"model": "wf-chat", "messages": USER, "temprature": 0.5}))
    assert err["message"] == "Unrecognized request argument supplied: temprature"


def test_fields_the_api_accepts_are_accepted() -> None:
    body = {"model": "wf-chat", "messages": USER, "user": "u1", "top_p": 1, "n": 1, "parallel_tool_calls": True}
    assert send(body).status_code == 200


@pytest.mark.parametrize("auth", [None, "Bearer sk-wrong-key-123456", "Basic abc", "sk-weekfour-test"])
def test_missing_or_wrong_key_is_401(auth: str | None) -> None:
    provider = MockProvider(EchoModel())
    headers = {"Authorization": auth} if auth else {}
    with httpx.Client(transport=provider.transport(), base_url=provider.base_url, headers=headers) as client:
        resp = client.post("/chat/completions", json={"model": "wf-chat", "messages": USER})
    assert resp.status_code == 401
    err = error_of(resp)
    assert err["code"] == "invalid_api_key"
    assert "sk-wrong-key-123456" not in err["message"]  # the key is masked, as the real API does
    assert provider.log[0].status == 401


def test_unknown_model_is_404_model_not_found() -> None:
    resp = send({"model": "gpt-4o", "messages": USER})
    assert resp.status_code == 404
    err = error_of(resp)
    assert err["code"] == "model_not_found"
    assert err["message"] == "The model `gpt-4o` does not exist or you do not have access to it."


def test_unknown_path_is_404_invalid_url() -> None:
    provider = MockProvider(EchoModel())
    with provider.client() as client:
        resp = client.post("/completions", json={})
    assert resp.status_code == 404
    assert error_of(resp)["message"] == "Invalid URL (POST /v1/completions)"


def test_max_tokens_rejected_by_the_newer_snapshot() -> None:
    resp = send({"model": "wf-chat-2026-06-01", "messages": USER, "max_tokens": 100})
    assert resp.status_code == 400
    err = error_of(resp)
    assert err == {
        "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead.",
        "type": "invalid_request_error",
        "param": "max_tokens",
        "code": "unsupported_parameter",
    }
    assert send({"model": "wf-chat-2026-06-01", "messages": USER, "max_completion_tokens": 100}).status_code == 200
    assert send({"model": "wf-chat-2026-01-15", "messages": USER, "max_tokens": 100}).status_code == 200


def test_repointed_alias_starts_rejecting_max_tokens() -> None:
    provider = MockProvider(EchoModel())
    provider.catalog.repoint("wf-chat", "wf-chat-2026-06-01", at=60)
    body = {"model": "wf-chat", "messages": USER, "max_tokens": 50}
    assert send(body, provider=provider).status_code == 200
    provider.clock.advance_to(60)
    assert error_of(send(body, provider=provider))["code"] == "unsupported_parameter"


def test_context_length_exceeded_with_an_explicit_ceiling() -> None:
    paste = [{"role": "user", "content": "lorem " * 31_000}]
    resp = send({"model": "wf-chat", "messages": paste, "max_completion_tokens": 4000})
    assert resp.status_code == 400
    err = error_of(resp)
    assert err["code"] == "context_length_exceeded" and err["param"] == "messages"
    assert err["message"].startswith("This model's maximum context length is 32768 tokens. However, you requested ")
    assert "in the completion" in err["message"]


def test_context_length_exceeded_by_the_messages_alone() -> None:
    paste = [{"role": "user", "content": "token " * 40_000}]  # the user who pastes 40,000 tokens
    err = error_of(send({"model": "wf-chat", "messages": paste}))
    assert err["code"] == "context_length_exceeded"
    assert "However, your messages resulted in 400" in err["message"]


def test_a_prompt_that_fits_without_a_ceiling_is_answered() -> None:
    prompt = [{"role": "user", "content": "token " * 31_000}]
    with MockProvider(EchoModel()).client(timeout=120) as client:
        resp = client.post("/chat/completions", json={"model": "wf-chat", "messages": prompt})
    assert resp.status_code == 200
    assert resp.json()["choices"][0]["finish_reason"] == "length"  # the echo outgrew the window's remainder


def test_ceiling_above_the_models_limit() -> None:
    err = error_of(send({"model": "wf-mini", "messages": USER, "max_completion_tokens": 5000}))
    assert err["code"] == "invalid_value" and err["param"] == "max_completion_tokens"
    assert "at most 2048 completion tokens" in err["message"]


def test_errors_are_fast_and_free() -> None:
    provider = MockProvider(EchoModel())
    send({"model": "nope", "messages": USER}, provider=provider)
    entry = provider.log[0]
    assert entry.latency_s < 0.2 and entry.cost_usd == 0 and entry.finish_reason is None
    assert provider.clock.now() == pytest.approx(entry.latency_s)


def test_garbage_never_raises_from_the_mock() -> None:
    provider = MockProvider(EchoModel())
    garbage = [b"", b"null", b"\xff\xfe", b"[]", b'{"model": null, "messages": null}', b'{"messages": [null]}']
    garbage += [b'{"model": "wf-chat", "messages": [{"role": "assistant", "tool_calls": [1]}]}']
    garbage += [b'{"model": "wf-chat", "messages": [{"role": "user", "content": "x"}], "tools": "all"}']
    garbage += [b'{"model": "wf-chat", "messages": [{"role": "user", "content": "x"}], "tool_choice": 3}']
    for raw in garbage:
        resp = send(None, provider=provider, raw=raw)
        assert resp.status_code == 400, raw
        error_of(resp)
