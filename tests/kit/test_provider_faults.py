"""weekfour.provider: fault windows, rate limits and timeouts, by simulated time."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from weekfour.clock import SimClock
from weekfour.provider import EchoModel, MockProvider
from weekfour.types import FaultWindow, LatencyProfile

USER = [{"role": "user", "content": "hello"}]
BODY = {"model": "wf-chat", "messages": USER}


def call(provider: MockProvider, body: dict[str, Any] | None = None, timeout: float = 30.0) -> httpx.Response:
    with provider.client(timeout=timeout) as client:
        return client.post("/chat/completions", json=body or BODY)


def test_rate_limit_window_at_2am() -> None:
    clock = SimClock()
    two_am = clock.at(day=1, hour=2)
    storm = FaultWindow(two_am, two_am + 3600, "rate_limit", retry_after=2.5)
    provider = MockProvider(EchoModel(), clock=clock, faults=[storm])
    assert call(provider).status_code == 200  # 9am: fine
    clock.advance_to(two_am)
    resp = call(provider)
    assert resp.status_code == 429
    err = resp.json()["error"]
    assert (err["type"], err["code"], err["param"]) == ("requests", "rate_limit_exceeded", None)
    assert err["message"].startswith("Rate limit reached for wf-chat")
    assert resp.headers["retry-after"] == "3"  # whole seconds, rounded up
    assert resp.headers["retry-after-ms"] == "2500"
    assert resp.headers["x-ratelimit-remaining-requests"] == "0"
    assert "x-ratelimit-limit-requests" in resp.headers and "x-ratelimit-reset-requests" in resp.headers
    assert provider.log[-1].error_code == "rate_limit_exceeded"
    clock.advance_to(two_am + 3600)
    assert call(provider).status_code == 200  # the window is half-open: [start, end)


def test_fault_windows_hit_only_their_models() -> None:
    faults = [FaultWindow(0, 100, "overloaded", models=("wf-chat",))]
    provider = MockProvider(EchoModel(), faults=faults)
    assert call(provider).status_code == 503
    assert call(provider, {"model": "wf-chat-2026-01-15", "messages": USER}).status_code == 503  # alias' snapshot
    assert call(provider, {"model": "backup-chat", "messages": USER}).status_code == 200
    assert call(provider, {"model": "wf-mini", "messages": USER}).status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "error_type", "code"),
    [
        ("insufficient_quota", 429, "insufficient_quota", "insufficient_quota"),
        ("server_error", 500, "server_error", "server_error"),
        ("overloaded", 503, "server_error", "overloaded"),
    ],
)
def test_http_faults(kind: Any, status: int, error_type: str, code: str) -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 10, kind)])
    resp = call(provider)
    assert resp.status_code == status
    err = resp.json()["error"]
    assert (err["type"], err["code"]) == (error_type, code)
    assert "retry-after" not in resp.headers and "retry-after-ms" not in resp.headers
    assert resp.headers["x-request-id"].startswith("req_")
    assert provider.log[0].status == status and provider.log[0].cost_usd == 0


def test_timeout_fault_waits_the_clients_read_timeout() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 100, "timeout")])
    with pytest.raises(httpx.ReadTimeout):
        call(provider, timeout=7.0)
    assert provider.clock.now() == pytest.approx(7.0)
    entry = provider.log[0]
    assert entry.status == "timeout" and entry.latency_s == pytest.approx(7.0) and entry.ttft_s is None


def test_timeout_fault_without_a_client_timeout_still_ends() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 100, "timeout")])
    with pytest.raises(httpx.ReadTimeout), provider.client(timeout=None) as client:
        client.post("/chat/completions", json=BODY)
    assert provider.clock.now() == pytest.approx(600.0)


def test_connection_error_fault() -> None:
    provider = MockProvider(EchoModel(), faults=[FaultWindow(0, 100, "connection_error")])
    with pytest.raises(httpx.ConnectError):
        call(provider)
    assert provider.log[0].status == "connection_error"
    assert provider.clock.now() < 0.1


def test_a_slow_answer_times_out_at_the_read_timeout_and_is_still_billed() -> None:
    latency = LatencyProfile(ttft=8.0, per_output_token=0.0, jitter=0)
    provider = MockProvider(EchoModel(), latency=latency)
    with pytest.raises(httpx.ReadTimeout):
        call(provider, timeout=5.0)
    entry = provider.log[0]
    assert provider.clock.now() == pytest.approx(5.0)
    assert entry.status == "timeout" and entry.cost_usd > 0  # the server finished the answer anyway
    assert call(provider, timeout=10.0).status_code == 200
    assert provider.clock.now() == pytest.approx(13.0)


def test_streams_time_out_on_the_first_token_only() -> None:
    latency = LatencyProfile(ttft=1.0, per_output_token=1.0, jitter=0)
    provider = MockProvider(EchoModel(), latency=latency)
    resp = call(provider, {**BODY, "stream": True}, timeout=2.0)  # the whole stream takes longer than 2 s
    assert resp.status_code == 200 and resp.text.endswith("data: [DONE]\n\n")
    slow = MockProvider(EchoModel(), latency=LatencyProfile(ttft=3.0, per_output_token=0.0, jitter=0))
    with pytest.raises(httpx.ReadTimeout):
        call(slow, {**BODY, "stream": True}, timeout=2.0)


def test_fault_probability_is_drawn_from_a_seeded_rng() -> None:
    def statuses(seed: int) -> list[int]:
        provider = MockProvider(EchoModel(), seed=seed, faults=[FaultWindow(0, 1e9, "server_error", probability=0.3)])
        return [call(provider).status_code for _ in range(200)]

    a = statuses(11)
    assert a == statuses(11)
    assert a != statuses(12)
    assert 0.2 < a.count(500) / len(a) < 0.4


def test_faults_added_later_apply_from_then_on() -> None:
    provider = MockProvider(EchoModel())
    assert call(provider).status_code == 200
    provider.faults.append(FaultWindow(0, 1e9, "server_error"))
    assert call(provider).status_code == 500
    provider.faults.clear()
    provider.add_fault(FaultWindow(0, 1e9, "overloaded"))
    assert call(provider).status_code == 503


def test_rpm_limit_gives_honest_429s() -> None:
    latency = LatencyProfile(ttft=1.0, per_output_token=0.0, jitter=0)
    provider = MockProvider(EchoModel(), latency=latency, rpm_limit=3)
    remaining = []
    for _ in range(3):
        resp = call(provider)
        assert resp.status_code == 200
        assert resp.headers["x-ratelimit-limit-requests"] == "3"
        remaining.append(resp.headers["x-ratelimit-remaining-requests"])
    assert remaining == ["2", "1", "0"]
    now = provider.clock.now()  # 3 s: requests started at 0, 1 and 2
    limited = call(provider)
    assert limited.status_code == 429
    err = limited.json()["error"]
    assert (err["type"], err["code"]) == ("requests", "rate_limit_exceeded")
    assert "Limit 3, Used 3, Requested 1" in err["message"]
    wait = 60.0 - now  # until the first request leaves the sliding minute
    assert float(limited.headers["retry-after-ms"]) == pytest.approx(wait * 1000, abs=1)
    assert limited.headers["retry-after"] == str(math.ceil(wait))
    assert limited.headers["x-ratelimit-remaining-requests"] == "0"
    provider.clock.sleep(float(limited.headers["retry-after-ms"]) / 1000)
    assert call(provider).status_code == 200  # honouring retry-after works


def test_rpm_limits_are_per_snapshot() -> None:
    provider = MockProvider(EchoModel(), rpm_limit=1)
    assert call(provider).status_code == 200
    assert call(provider).status_code == 429
    assert call(provider, {"model": "wf-mini", "messages": USER}).status_code == 200


def test_tpm_limit_counts_prompt_and_ceiling() -> None:
    provider = MockProvider(EchoModel(), tpm_limit=1000)
    body = {**BODY, "max_completion_tokens": 400}
    first = call(provider, body)
    assert first.status_code == 200
    assert int(first.headers["x-ratelimit-remaining-tokens"]) == 1000 - (first.json()["usage"]["prompt_tokens"] + 400)
    assert call(provider, body).status_code == 200
    third = call(provider, body)
    assert third.status_code == 429
    assert third.json()["error"]["type"] == "tokens"
    assert "retry-after-ms" in third.headers


def test_a_request_bigger_than_the_tpm_limit_is_refused_without_retry_after() -> None:
    provider = MockProvider(EchoModel(), tpm_limit=100)
    resp = call(provider, {**BODY, "max_completion_tokens": 500})
    assert resp.status_code == 429
    assert resp.json()["error"]["message"].startswith("Request too large for wf-chat-2026-01-15")
    assert "retry-after" not in resp.headers


def test_before_request_hooks_see_every_request_from_clients_made_before_and_after() -> None:
    provider = MockProvider(EchoModel())
    early = provider.client()
    seen: list[str] = []
    provider.before_request.append(lambda request: seen.append(request.url.path))
    late = provider.client()
    body = {"model": "wf-chat", "messages": [{"role": "user", "content": "hi"}]}
    early.post("/chat/completions", json=body)
    late.post("/chat/completions", json=body)
    assert seen == ["/v1/chat/completions"] * 2

    def refuse(request: object) -> None:
        raise RuntimeError("stopped by the hook")

    provider.before_request.append(refuse)
    with pytest.raises(RuntimeError, match="stopped by the hook"):
        late.post("/chat/completions", json=body)
    assert len(provider.log) == 2  # the refused request never reached the provider
