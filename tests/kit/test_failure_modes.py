"""Each scenario breaks the day-three agent the way production breaks it: one test per failure mode."""

from __future__ import annotations

import json
import statistics
from typing import Any

import httpx
import pytest

from weekfour import scenarios
from weekfour.agent import SupportAgent
from weekfour.clock import hours, minutes
from weekfour.sandbox import Sandbox, sandbox
from weekfour.traffic import long_paste

TWO_AM = hours(17)


def ask_many(sb: Sandbox, n: int, *, seed: int = 0, **mix: float) -> list[Any]:
    agent = sb.agent()
    out: list[Any] = []
    for q in sb.questions(n, seed=seed, mix=mix or None):
        try:
            out.append(agent.ask(q.text))
        except (httpx.HTTPError, RuntimeError) as exc:
            out.append(exc)
    return out


def test_1_hallucination_wrong_answers_reach_the_backoffice_as_fact() -> None:
    sb = sandbox(scenarios.hallucination(rate=0.3), seed=3)
    replies = ask_many(sb, 60, status=3, refund=2, policy=1, injection=1)
    mistakes = sb.backoffice.mistakes(sb.world)
    assert len(mistakes) >= 10, "a 30% hallucination rate should put wrong answers downstream"
    kinds = {a.kind for a, _ in mistakes}
    assert {"message", "refund"} <= kinds  # wrong statuses told to customers, and money paid out wrongly
    assert any("does not exist" in why for _, why in mistakes)  # an invented citation
    assert all(r.data.get("confidence") == 0.97 for r in replies)  # the model's own confidence says nothing
    calm = sandbox(seed=3)
    ask_many(calm, 60, status=3, refund=2, policy=1, injection=1)
    assert calm.wrong_downstream() == 0


class Bound(Exception):
    """The test's own limit: the agent never stops by itself."""


def test_2_runaway_a_tool_loop_runs_up_the_bill_until_something_outside_stops_it() -> None:
    sb = sandbox(scenarios.runaway())
    sent: list[httpx.Request] = []

    def stop_at_150(request: httpx.Request) -> None:
        sent.append(request)
        if len(sent) > 150:
            raise Bound

    agent = sb.agent(sb.client(event_hooks={"request": [stop_at_150]}))
    with pytest.raises(Bound):
        agent.ask("Where is my order A9999?")
    frame = sb.log.to_frame()
    assert len(frame) == 150 and (frame["status"] == 200).all()
    prompt = frame["prompt_tokens"].tolist()
    assert all(b > a for a, b in zip(prompt, prompt[1:], strict=False))  # each step resends a longer conversation
    assert sb.log.total_cost() > 50 * frame["cost_usd"].iloc[0]


def test_2_runaway_a_forty_thousand_token_paste_goes_out_as_is() -> None:
    sb = sandbox()
    sent: list[bytes] = []
    agent = sb.agent(sb.client(event_hooks={"request": [lambda r: sent.append(r.content)]}))
    paste = long_paste() + "\nwhere is my order A1042?"
    with pytest.raises(httpx.HTTPStatusError) as info:
        agent.ask(paste)
    assert paste in json.loads(sent[0])["messages"][-1]["content"]  # no size check before it left
    assert info.value.response.status_code == 400
    assert info.value.response.json()["error"]["code"] == "context_length_exceeded"


def test_3_latency_a_slow_model_makes_every_ask_take_seconds() -> None:
    p50: dict[str, float] = {}
    for name, sb in (("fast", sandbox()), ("slow", sandbox(scenarios.slow(p50=4.0)))):
        replies = [r for r in ask_many(sb, 20, status=1) if not isinstance(r, Exception)]
        p50[name] = statistics.median(r.seconds for r in replies)
    assert p50["slow"] > 5.0, "a tool call and an answer of about 4 s"
    assert p50["slow"] > 3 * p50["fast"]


def test_3_latency_the_agent_waits_as_long_as_its_client_lets_it() -> None:
    sb = sandbox(scenarios.slow(p50=12.0, jitter=0.0))
    with pytest.raises(httpx.ReadTimeout):
        sb.agent().ask("Where is my order A1042?")  # httpx's default 5 s read timeout, which nobody chose
    start = sb.clock.now()
    reply = sb.agent(sb.client(timeout=60.0)).ask("Where is my order A1042?")
    assert reply.seconds >= 20.0 and sb.clock.now() - start >= 20.0


@pytest.mark.parametrize(
    ("at", "status", "code"),
    [
        (TWO_AM + minutes(1), 429, "rate_limit_exceeded"),
        (TWO_AM + minutes(70), 503, None),
        (TWO_AM + minutes(160), 429, "insufficient_quota"),
    ],
)
def test_4_no_fallback_a_fault_at_night_is_an_exception(at: float, status: int, code: str | None) -> None:
    sb = sandbox(scenarios.night_of_faults())
    sb.agent().ask("Where is my order A1042?")  # fine in the daytime
    sb.clock.advance_to(at)
    failures = []
    for _ in range(5):
        try:
            sb.agent().ask("Where is my order A1042?")
        except httpx.HTTPStatusError as exc:
            failures.append(exc.response)
    assert failures and all(r.status_code == status for r in failures)
    if code:
        assert failures[0].json()["error"]["code"] == code
    backup = sb.agent(sb.backup_client(), model="backup-chat").ask("Where is my order A1042?")
    assert backup.status == sb.world.orders["A1042"].status  # a fallback existed all along


def test_4_no_fallback_timeouts_in_the_night_surface_as_read_timeouts() -> None:
    sb = sandbox(scenarios.night_of_faults())
    sb.clock.advance_to(TWO_AM + hours(2) + minutes(1))
    errors = [r for r in ask_many(sb, 10, status=1) if isinstance(r, Exception)]
    assert errors and all(isinstance(e, httpx.ReadTimeout) for e in errors)


def test_5_prompt_drift_the_new_snapshot_rejects_max_tokens() -> None:
    sb = sandbox(scenarios.model_update(at=hours(1)))
    assert sb.agent().ask("Where is my order A1042?").status  # before the update
    sb.clock.advance_to(hours(2))
    with pytest.raises(httpx.HTTPStatusError) as info:
        sb.agent().ask("Where is my order A1042?")
    assert info.value.response.status_code == 400
    assert info.value.response.json()["error"]["param"] == "max_tokens"


def test_5_prompt_drift_the_parser_silently_returns_an_empty_status() -> None:
    class NoMaxTokens(SupportAgent):  # the quick fix for the 400: drop max_tokens
        def request_body(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
            body = super().request_body(messages)
            del body["max_tokens"]
            return body

    sb = sandbox(scenarios.model_update())
    agent = NoMaxTokens(sb.client(), world=sb.world, backoffice=sb.backoffice, catalog=sb.catalog)
    reply = agent.ask("Where is my order A1042?")  # no exception...
    assert reply.model == "wf-chat-2026-06-01"
    assert reply.status == ""  # ...and no status: the field is now called order_status, inside code fences
    assert "order_status" in reply.answer and "```json" in reply.answer
    assert sb.backoffice.actions[-1].details["status"] is None
