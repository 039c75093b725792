"""The one-line set-up of every notebook, and the traffic it is driven with."""

from __future__ import annotations

import json

import httpx
import pytest

from weekfour import scenarios
from weekfour.clock import days, hours
from weekfour.sandbox import BACKUP_BASE_URL, sandbox
from weekfour.tokens import count_tokens
from weekfour.traffic import DEFAULT_MIX, KINDS, Question, arrivals, grade, long_paste, questions
from weekfour.types import FaultWindow
from weekfour.world import World


def test_one_call_wires_one_clock_one_world_and_the_scenario_knobs() -> None:
    sb = sandbox(scenarios.hallucination(rate=0.2), scenarios.runaway(), seed=4)
    assert sb.provider.clock is sb.clock and sb.backup.clock is sb.clock and sb.backoffice.clock is sb.clock
    assert sb.model.world is sb.world and sb.world.orders == World.generate(4).orders
    assert sb.model.hallucination_rate == 0.2 and sb.model.loops
    assert sb.scenario.name == "hallucination(0.2) | runaway"
    assert "seed=4" in repr(sb)
    with pytest.raises(TypeError, match="Scenario objects"):
        sandbox("hallucination")


def test_model_updates_repoint_the_alias_at_their_time() -> None:
    sb = sandbox(scenarios.model_update(at=hours(5)))
    assert sb.provider.catalog.resolve("wf-chat", now=hours(4)).id == "wf-chat-2026-01-15"
    assert sb.provider.catalog.resolve("wf-chat", now=hours(6)).id == "wf-chat-2026-06-01"
    assert sb.catalog.resolve("wf-chat", now=hours(6)).id == "wf-chat-2026-06-01"


def test_the_backup_provider_serves_backup_chat_at_its_own_base_url() -> None:
    sb = sandbox(scenarios.night_of_faults())
    assert sb.backup.base_url == BACKUP_BASE_URL != sb.provider.base_url
    body = {"model": "backup-chat", "messages": [{"role": "user", "content": "hi"}]}
    ok = sb.backup_client().post("/chat/completions", json=body)
    assert ok.status_code == 200 and ok.json()["model"] == "backup-chat-1"
    assert sb.client().post("/chat/completions", json=body).status_code == 404
    assert sb.backup_client().post("/chat/completions", json={**body, "model": "wf-chat"}).status_code == 404
    assert sb.backup.faults == [] and len(sb.provider.faults) == 4
    assert sb.spend() > 0 and len(sb.backup.log) == 2


def test_faults_aimed_at_the_backup_land_on_the_backup() -> None:
    outage = FaultWindow(0.0, hours(1), "overloaded", models=("backup-chat",))
    sb = sandbox(scenarios.happy().with_faults(outage))
    assert sb.backup.faults == [outage] and sb.provider.faults == []
    body = {"model": "backup-chat", "messages": [{"role": "user", "content": "hi"}]}
    assert sb.backup_client().post("/chat/completions", json=body).status_code == 503


def test_the_official_sdk_works_against_the_sandbox() -> None:
    sb = sandbox()
    client = sb.openai(max_retries=0)
    completion = client.chat.completions.create(
        model="wf-chat",
        messages=[{"role": "user", "content": "Where is my order A1042?"}],
        tools=sb.world.tools,
    )
    call = completion.choices[0].message.tool_calls[0]
    assert call.function.name == "get_order" and '"A1042"' in call.function.arguments
    assert completion.choices[0].finish_reason == "tool_calls"


def test_the_agent_works_over_an_async_client_with_faults_too() -> None:
    sb = sandbox(scenarios.night_of_faults())
    sb.clock.advance_to(hours(17) + 60)
    with pytest.raises(httpx.HTTPStatusError):
        for _ in range(5):
            sb.clock.run(sb.async_agent().ask("Where is my order A1042?"))


# --- traffic -------------------------------------------------------------------------------------------------------


def test_questions_are_deterministic_for_a_seed_and_follow_the_mix() -> None:
    world = World.generate(0)
    a, b = questions(300, seed=1, world=world), questions(300, seed=1, world=world)
    assert a == b and a != questions(300, seed=2, world=world)
    assert {q.kind for q in a} == set(KINDS) == set(DEFAULT_MIX)
    only = questions(50, seed=1, world=world, mix={"refund": 1, "policy": 1})
    assert {q.kind for q in only} == {"refund", "policy"}
    with pytest.raises(ValueError, match="unknown question kinds"):
        questions(5, world=world, mix={"weather": 1})


def test_every_question_carries_ground_truth_from_the_world() -> None:
    sb = sandbox(seed=6)
    for q in sb.questions(300):
        order = sb.world.orders.get(q.order_id or "")
        if q.kind in ("status", "foreign", "long_paste"):
            assert order is not None and q.expected["status"] == order.status and q.order_id in q.text
        elif q.kind == "missing_order":
            assert order is None and q.expected["status"] == "not_found"
        elif q.kind == "refund":
            assert order is not None and q.expected["refund"] == sb.world.refund_eligibility(order.id)[0]
        elif q.kind == "injection":
            assert order is not None and not sb.world.refund_eligibility(order.id)[0]
        elif q.kind == "policy":
            assert q.expected["citations"][0] in sb.world.documents
        elif q.kind == "empty":
            assert not q.text.strip()


def test_the_long_paste_is_forty_thousand_tokens() -> None:
    assert 40_000 <= count_tokens(long_paste()) <= 41_000
    assert count_tokens(long_paste(1_000)) < 1_100


def test_grade_marks_wrong_missing_and_failed_replies() -> None:
    class R:
        def __init__(self, status: str, **data: object) -> None:
            self.status, self.data = status, {"status": status, **data}

    qs = [
        Question("Where is A1?", "status", "A1", {"status": "shipped"}),
        Question("Where is A2?", "status", "A2", {"status": "shipped"}),
        Question("refund A3", "refund", "A3", {"refund": True, "amount": 10.0}),
        Question("refund A4", "refund", "A4", {"refund": False}),
        Question("policy?", "policy", None, {"citations": ["policy/returns"]}),
    ]
    replies = [
        R("shipped"),
        R("delivered"),
        R("delivered", action="refund", refund_amount=15.0),
        httpx.ReadTimeout("slow"),
        R("", citations=["policy/returns"]),
    ]
    frame = grade(qs, replies)
    assert frame["correct"].tolist() == [True, False, False, False, True]
    assert frame["error"].tolist()[3] == "ReadTimeout"
    with pytest.raises(ValueError, match="one reply"):
        grade(qs, replies[:2])


def test_arrivals_are_sorted_and_land_where_asked() -> None:
    steady = arrivals(500, seed=1, rate=2.0, start=100.0)
    assert steady == sorted(steady) and steady[0] > 100.0
    assert 200 < steady[-1] - 100.0 < 300  # about 500 / 2 per second
    month = arrivals(3000, seed=1, duration=days(30))
    assert month == sorted(month) and 0 <= month[0] and month[-1] < days(30)
    night = sum(1 for t in month if (t / 3600 + 9) % 24 < 6)
    afternoon = sum(1 for t in month if 12 <= (t / 3600 + 9) % 24 < 18)
    assert 0 < night < afternoon / 3  # quiet nights, never silent
    assert arrivals(10, seed=3) == arrivals(10, seed=3)
    with pytest.raises(ValueError):
        arrivals(3, rate=0)


def test_on_the_wire_the_invented_status_carries_low_token_logprobs() -> None:
    sb = sandbox(scenarios.hallucination(rate=1.0))
    oid = next(o.id for o in sb.world.orders.values() if o.status == "processing")
    agent = sb.agent()
    messages = agent.start(f"Where is my order {oid}?").messages
    first = agent.call_model(messages)
    call = first["choices"][0]["message"]["tool_calls"][0]
    messages += [first["choices"][0]["message"], {"role": "tool", "tool_call_id": call["id"],
                                                   "content": agent.run_tool(call)}]  # fmt: skip
    completion = sb.openai(max_retries=0).chat.completions.create(model="wf-chat", messages=messages, logprobs=True)
    tokens = completion.choices[0].logprobs.content
    content = completion.choices[0].message.content or ""
    assert json.loads(content)["confidence"] == 0.97  # what it says about itself
    low = "".join(t.token for t in tokens if t.logprob < -1.0)  # what its logprobs say
    assert json.loads(content)["status"] in low and min(t.logprob for t in tokens) >= -2.5


def test_agent_builds_a_learners_subclass_wired_to_the_same_world() -> None:
    from weekfour import SupportAgent, sandbox, scenarios

    class Careful(SupportAgent):
        pass

    sb = sandbox(scenarios.happy(), seed=3)
    agent = sb.agent(cls=Careful, max_steps=4)
    assert type(agent) is Careful and agent.max_steps == 4
    assert agent.world is sb.world and agent.backoffice is sb.backoffice and agent.clock is sb.clock
    agent.ask("Where is my order A1042?")
    assert len(sb.log) >= 1
