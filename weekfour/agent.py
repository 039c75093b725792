"""The support agent from the demo on day three. It works. Read it top to bottom: it is short on purpose.

    question ──► ask() ──► call_model(messages) ──► tool calls? ──► run_tool(call) ──► back to call_model
                                                        │ no
                                                        ▼
                                parse(message) ──► act(reply): refunds and emails, straight to the backoffice

It also has every failure mode this course is about. Each one is a seam you will replace:

1. ``act`` passes whatever the model claims to the backoffice as fact (refunds, order statuses, citations).
2. ``ask`` loops until the model stops calling tools: no step limit, no budget, any input size goes out.
3. ``call_model`` is synchronous and waits as long as the client lets it; the page handler waits with it.
4. ``call_model`` calls ``raise_for_status()``: a 429 at 2am is an exception, with no retry and no fallback.
5. ``parse`` is ``json.loads`` plus ``data["status"]``; anything else silently becomes "" — and the request sends
   ``max_tokens``, which newer model snapshots reject.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from weekfour.catalog import Catalog, default_catalog
from weekfour.world import Backoffice, World

__all__ = ["SYSTEM_PROMPT", "AsyncSupportAgent", "Reply", "SupportAgent"]

SYSTEM_PROMPT = """\
You are the support assistant of the Week Four outdoor shop.
Use the tools to look up orders and policies before you answer.
Reply in JSON with the keys: answer, status, order_id, citations, action, refund_amount, confidence."""


class _Clock(Protocol):
    def now(self) -> float: ...


@dataclass
class Reply:
    """What ``ask`` returns: the answer, what was parsed from it, and what it took."""

    question: str
    answer: str
    status: str
    data: dict[str, Any]
    steps: int = 0  # requests sent to the model
    tool_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0  # USD
    model: str = ""  # the snapshot that answered last
    seconds: float = 0.0  # simulated seconds the question took (0 when the agent has no clock)
    finished: bool = True  # False when max_steps stopped the loop
    started_at: float = field(default=0.0, repr=False)  # simulated second the question arrived
    messages: list[dict[str, Any]] = field(default_factory=list, repr=False)


class SupportAgent:
    """A tool-using support agent over a plain ``httpx.Client`` whose base URL is the provider's ``/v1``."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        world: World,
        backoffice: Backoffice,
        model: str = "wf-chat",
        system_prompt: str = SYSTEM_PROMPT,
        max_steps: int | None = None,
        max_tokens: int = 512,
        catalog: Catalog | None = None,
        clock: _Clock | None = None,
    ) -> None:
        self.client = client
        self.world = world
        self.backoffice = backoffice
        self.model = model
        self.system_prompt = system_prompt
        self.max_steps = max_steps  # None: no limit (failure mode 2)
        self.max_tokens = max_tokens
        self.catalog = catalog if catalog is not None else default_catalog()
        self.clock = clock
        self.tools = world.tools

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, max_steps={self.max_steps})"

    # --- the loop --------------------------------------------------------------------------------------------

    def ask(self, question: str, history: list[dict[str, Any]] | None = None) -> Reply:
        reply = self.start(question, history)
        while True:  # until the model stops calling tools (failure mode 2: nothing else stops it)
            if self.max_steps is not None and reply.steps >= self.max_steps:
                return self.give_up(reply)
            message = self.absorb(reply, self.call_model(reply.messages))
            if not message.get("tool_calls"):
                return self.finish(reply, message)
            for call in message["tool_calls"]:
                reply.tool_calls += 1
                reply.messages.append({"role": "tool", "tool_call_id": call["id"], "content": self.run_tool(call)})

    # --- the seams -------------------------------------------------------------------------------------------

    def request_body(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {"model": self.model, "messages": messages, "tools": self.tools, "max_tokens": self.max_tokens}

    def call_model(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        response = self.client.post("/chat/completions", json=self.request_body(messages))
        response.raise_for_status()  # failure mode 4: a 429 or a 503 is an exception
        body: dict[str, Any] = response.json()
        return body

    def run_tool(self, call: dict[str, Any]) -> str:
        return self.world.call_tool(call["function"]["name"], call["function"]["arguments"])

    def parse(self, message: dict[str, Any]) -> dict[str, Any]:
        content = message.get("content") or ""
        try:
            data = json.loads(content)
        except json.JSONDecodeError:
            data = {"answer": content}
        if not isinstance(data, dict):
            data = {"answer": content}
        try:
            status = data["status"]
        except KeyError:
            status = ""  # failure mode 5: a renamed field silently becomes ""
        return {**data, "status": status or ""}

    def act(self, reply: Reply) -> None:
        """Failure mode 1: the model's claims go downstream as fact."""
        data = reply.data
        order_id = data.get("order_id")
        if data.get("action") == "refund" and order_id:
            self.backoffice.issue_refund(order_id, float(data.get("refund_amount") or 0.0), reason=reply.answer)
        self.backoffice.tell_customer(
            order_id, reply.answer, status=reply.status, citations=data.get("citations") or []
        )

    # --- bookkeeping -----------------------------------------------------------------------------------------

    def start(self, question: str, history: list[dict[str, Any]] | None = None) -> Reply:
        system = {"role": "system", "content": self.system_prompt}
        messages = [system, *(history or []), {"role": "user", "content": question}]
        return Reply(question=question, answer="", status="", data={}, messages=messages, started_at=self._now())

    def absorb(self, reply: Reply, response: dict[str, Any]) -> dict[str, Any]:
        """Count one model response into the reply; return its message (appended to the conversation)."""
        usage = response.get("usage") or {}
        prompt, completion = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
        reply.steps += 1
        reply.prompt_tokens += prompt
        reply.completion_tokens += completion
        reply.model = str(response.get("model") or self.model)
        if reply.model in self.catalog:
            reply.cost += self.catalog.price(reply.model, prompt, completion, self._now())
        message = dict(response["choices"][0]["message"])
        reply.messages.append(message)
        return message

    def finish(self, reply: Reply, message: dict[str, Any]) -> Reply:
        reply.data = self.parse(message)
        reply.answer = str(reply.data.get("answer") or "")
        reply.status = str(reply.data.get("status") or "")
        reply.seconds = self._now() - reply.started_at
        self.act(reply)
        return reply

    def give_up(self, reply: Reply) -> Reply:
        reply.finished = False
        reply.answer = "Sorry, that took too many steps. A colleague will follow up."
        reply.seconds = self._now() - reply.started_at
        return reply

    def _now(self) -> float:
        return self.clock.now() if self.clock is not None else 0.0


class AsyncSupportAgent(SupportAgent):
    """The same agent over an ``httpx.AsyncClient``: ``await agent.ask(question)``."""

    client: httpx.AsyncClient  # type: ignore[assignment]

    def __init__(self, client: httpx.AsyncClient, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)  # type: ignore[arg-type]

    async def ask(self, question: str, history: list[dict[str, Any]] | None = None) -> Reply:  # type: ignore[override]
        reply = self.start(question, history)
        while True:
            if self.max_steps is not None and reply.steps >= self.max_steps:
                return self.give_up(reply)
            message = self.absorb(reply, await self.call_model(reply.messages))
            if not message.get("tool_calls"):
                return self.finish(reply, message)
            for call in message["tool_calls"]:
                reply.tool_calls += 1
                reply.messages.append({"role": "tool", "tool_call_id": call["id"], "content": self.run_tool(call)})

    async def call_model(self, messages: list[dict[str, Any]]) -> dict[str, Any]:  # type: ignore[override]
        response = await self.client.post("/chat/completions", json=self.request_body(messages))
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body
