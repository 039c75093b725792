"""The day-three agent on the happy path: it works, it is wired the way the notebooks need, its seams are open."""

from __future__ import annotations

import json
from typing import Any

import httpx

from weekfour import scenarios
from weekfour.agent import AsyncSupportAgent, SupportAgent
from weekfour.sandbox import sandbox
from weekfour.traffic import grade


def test_it_answers_an_order_question_from_the_tools_and_tells_the_customer() -> None:
    sb = sandbox(seed=1)
    order = next(o for o in sb.world.orders.values() if o.status == "shipped")
    reply = sb.agent().ask(f"Where is my order {order.id}?")
    assert reply.finished and reply.status == "shipped" and order.id in reply.answer
    assert reply.steps == 2 and reply.tool_calls == 1
    assert reply.prompt_tokens > 0 and reply.completion_tokens > 0
    assert abs(reply.cost - sb.log.total_cost()) < 1e-9 and reply.cost > 0
    assert reply.model == "wf-chat-2026-01-15" and reply.seconds > 0
    [action] = sb.backoffice.actions
    assert action.kind == "message" and action.details["status"] == "shipped"
    assert sb.wrong_downstream() == 0


def test_an_eligible_refund_reaches_the_backoffice_for_the_order_total() -> None:
    sb = sandbox()
    order = next(o for o in sb.world.orders.values() if sb.world.refund_eligibility(o.id)[0])
    sb.agent().ask(f"I want a refund for order {order.id}")
    [refund] = sb.backoffice.refunds
    assert refund.order_id == order.id and refund.details["amount"] == order.total
    assert sb.wrong_downstream() == 0


def test_on_the_happy_path_everything_but_the_giant_paste_is_answered_right() -> None:
    sb = sandbox(seed=2)
    agent = sb.agent()
    qs = sb.questions(80, seed=5, mix={k: 1 for k in ("status", "refund", "policy", "foreign", "empty", "injection",
                                                      "missing_order", "all_orders")})  # fmt: skip
    graded = grade(qs, [agent.ask(q.text) for q in qs])
    assert graded["correct"].all(), graded[~graded["correct"]]
    assert sb.wrong_downstream() == 0


def test_it_posts_plain_json_to_chat_completions_through_any_httpx_client() -> None:
    sb = sandbox()
    seen: list[httpx.Request] = []
    client = sb.client(event_hooks={"request": [seen.append]})
    sb.agent(client).ask("Where is my order A1042?")
    assert [r.url.path for r in seen] == ["/v1/chat/completions"] * 2
    body = json.loads(seen[0].content)
    assert body["model"] == "wf-chat" and body["max_tokens"] == 512
    assert [t["function"]["name"] for t in body["tools"]] == ["get_order", "search_policies", "get_product"]
    assert body["messages"][0]["role"] == "system" and "JSON" in body["messages"][0]["content"]
    assert "openai" not in seen[0].headers.get("user-agent", "").lower()


def test_the_seams_can_be_overridden_by_a_subclass() -> None:
    class Careful(SupportAgent):
        calls: list[str]

        def run_tool(self, call: dict[str, Any]) -> str:
            self.calls.append(call["function"]["name"])
            return super().run_tool(call)

        def parse(self, message: dict[str, Any]) -> dict[str, Any]:
            return {**super().parse(message), "parsed_by": "careful"}

        def act(self, reply: Any) -> None:  # nothing reaches the backoffice unchecked
            pass

    sb = sandbox()
    agent = Careful(sb.client(), world=sb.world, backoffice=sb.backoffice, catalog=sb.catalog)
    agent.calls = []
    reply = agent.ask("Where is my order A1042?")
    assert agent.calls == ["get_order"]
    assert reply.data["parsed_by"] == "careful" and sb.backoffice.actions == []


def test_history_goes_before_the_new_question() -> None:
    sb = sandbox()
    history = [{"role": "user", "content": "Where is my order A1042?"}, {"role": "assistant", "content": "{}"}]
    reply = sb.agent().ask("and when was it delivered?", history=history)
    assert [m["role"] for m in reply.messages[:4]] == ["system", "user", "assistant", "user"]
    assert reply.data["order_id"] == "A1042"


def test_max_steps_stops_a_loop_and_says_so() -> None:
    sb = sandbox(scenarios.runaway())
    reply = sb.agent(max_steps=5).ask("Where is my order A9999?")
    assert not reply.finished and reply.steps == 5 and reply.tool_calls == 5
    assert sb.backoffice.actions == []


def test_the_async_twin_answers_the_same_on_the_virtual_clock() -> None:
    sb = sandbox(scenarios.slow(p50=3.0))
    agent = sb.async_agent()
    assert isinstance(agent, AsyncSupportAgent)
    reply = sb.clock.run(agent.ask("Where is my order A1042?"))
    assert reply.status == sb.world.orders["A1042"].status
    assert reply.seconds > 2.0 and sb.clock.now() >= reply.seconds
