"""Checks of notebook 02 (runaway spend): cost accounting, a hard budget at the API-call level, alerts, input and
context guards, and the step ceiling of the guarded agent.

Every check builds its own sandbox with a seed drawn from ``ns.rng``, so scenarios differ per run.
"""

from __future__ import annotations

import math
from typing import Any

import httpx

from grader.checks import CheckFailed, Namespace, exercise
from weekfour import scenarios
from weekfour.agent import SupportAgent
from weekfour.catalog import Catalog, default_catalog
from weekfour.labs.spend import BudgetExceeded
from weekfour.sandbox import Sandbox, sandbox
from weekfour.tokens import count_message_tokens, count_tokens
from weekfour.traffic import long_paste
from weekfour.types import FaultWindow
from weekfour.world import TOOLS

_WORDS = ("order", "refund", "where", "is", "my", "parcel", "please", "thanks", "the", "shoes", "jacket", "late")
_ALL_ORDERS = ("Can you check all my orders?", "check all my orders please", "What's going on with all my orders?")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _text(ns: Namespace, n: int) -> str:
    return " ".join(ns.rng.choice(_WORDS) for _ in range(n))


def _expected_worst(body: dict[str, Any], catalog: Catalog, *, full_output: bool = False) -> float:
    spec = catalog.resolve(body["model"])
    prompt = count_message_tokens(body["messages"], body.get("tools"))
    ceiling = body.get("max_completion_tokens") or body.get("max_tokens")
    if ceiling is None:
        ceiling = spec.max_output_tokens if full_output else min(spec.max_output_tokens, spec.context_window - prompt)
    return (prompt * spec.usd_per_1m_input + ceiling * spec.usd_per_1m_output) / 1_000_000


# -- 2.1 cost accounting -----------------------------------------------------------------------------------------


@exercise("2.1", points=1, title="Cost accounting")
def prices_a_response(ns: Namespace) -> None:
    cost_of = ns.function("cost_of")
    catalog = default_catalog()
    for _ in range(4):
        spec = ns.rng.choice(list(catalog))
        prompt, completion = ns.rng.randint(1, 30_000), ns.rng.randint(0, 4_000)
        response = {
            "model": spec.id,
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }
        want = catalog.price(spec.id, prompt, completion)
        got = cost_of(response, catalog)
        if not isinstance(got, int | float) or not _close(float(got), want):
            raise CheckFailed(
                f"cost_of should price {prompt} prompt and {completion} completion tokens of {spec.id} in USD",
                expected=round(want, 8),
                got=got,
                hint="Input and output tokens have different prices per million; the snapshot in `model` says which.",
            )
    sb = sandbox(seed=ns.rng.randrange(1000))
    body = {"model": "wf-chat", "messages": [{"role": "user", "content": "What is your return policy?"}]}
    response = sb.client().post("/chat/completions", json=body).json()
    got = cost_of(response, sb.catalog)
    if not isinstance(got, int | float) or not _close(float(got), sb.log[-1].cost_usd):
        raise CheckFailed(
            "cost_of should agree with the provider's bill for a real response",
            expected=sb.log[-1].cost_usd,
            got=got,
        )


def _random_body(ns: Namespace, ceiling_kind: str) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": _text(ns, ns.rng.randint(5, 40))}]
    for _ in range(ns.rng.randint(1, 6)):
        messages.append({"role": "user", "content": _text(ns, ns.rng.randint(1, 400))})
        messages.append({"role": "assistant", "content": _text(ns, ns.rng.randint(1, 80))})
    messages.append({"role": "user", "content": _text(ns, ns.rng.randint(1, 60))})
    body: dict[str, Any] = {"model": ns.rng.choice(["wf-chat", "wf-mini", "wf-chat-2026-01-15"]), "messages": messages}
    if ns.rng.random() < 0.6:
        body["tools"] = TOOLS
    if ceiling_kind != "none":
        body[ceiling_kind] = ns.rng.randint(16, 2_000)
    return body


@exercise("2.1", points=2)
def bounds_the_worst_case(ns: Namespace) -> None:
    worst_case_cost = ns.function("worst_case_cost")
    catalog = default_catalog()
    kinds = ["max_tokens", "max_completion_tokens", "none", ns.rng.choice(["max_tokens", "none"])]
    ns.rng.shuffle(kinds)
    sb = sandbox(seed=ns.rng.randrange(1000))
    for kind in kinds:
        body = _random_body(ns, kind)
        got = worst_case_cost(body, catalog)
        low = _expected_worst(body, catalog)
        high = _expected_worst(body, catalog, full_output=True)
        where = "no completion ceiling" if kind == "none" else f"`{kind}`: {body[kind]}"
        if not isinstance(got, int | float) or not (low - 1e-12 <= float(got) <= high + 1e-12):
            raise CheckFailed(
                f"worst_case_cost is off for a {body['model']} request of {len(body['messages'])} messages"
                f"{' with tools' if 'tools' in body else ''} and {where}",
                expected=round(low, 8),
                got=got,
                hint="Count the prompt as the API does (every message's overhead and the tools too: "
                "count_message_tokens), then add the most completion tokens the request allows. No ceiling in the "
                "body does not mean zero: the model's own output limit applies.",
            )
        sb.client().post("/chat/completions", json=body)
        billed = sb.log[-1].cost_usd
        if billed > float(got) + 1e-12:
            raise CheckFailed(
                "the provider billed more than your worst case: a budget built on it would be crossed",
                expected=f"at least {billed:.8f}",
                got=got,
            )


# -- 2.2 the hard budget -----------------------------------------------------------------------------------------


class _Counting(httpx.BaseTransport):
    """The provider's transport, counting what reaches it."""

    def __init__(self, sb: Sandbox) -> None:
        self.inner = sb.provider.transport()
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return self.inner.handle_request(request)


class _Recording(SupportAgent):
    """The day-three agent, remembering the last conversation it tried to send."""

    last: list[dict[str, Any]] = []

    def call_model(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        self.last = list(messages)
        return super().call_model(messages)


def _budget(ns: Namespace, sb: Sandbox, inner: httpx.BaseTransport, **kwargs: Any) -> Any:
    hard_budget = ns.function("HardBudget")
    return hard_budget(inner, catalog=sb.catalog, clock=sb.clock, **kwargs)


def _expect_refusal(call: Any, scope: str, what: str) -> BudgetExceeded:
    try:
        call()
    except BudgetExceeded as exc:
        if exc.scope != scope:
            raise CheckFailed(f"{what}: the refusal names the wrong ceiling", expected=scope, got=exc.scope) from None
        return exc
    except Exception as exc:
        raise CheckFailed(
            f"{what}: expected a BudgetExceeded refusal before sending",
            expected="BudgetExceeded",
            got=f"{type(exc).__name__}: {str(exc)[:120]}",
            hint="Raise the course's BudgetExceeded (a plain exception) from the transport. An httpx error or an "
            "HTTP error response is something clients retry or report as a network failure.",
        ) from None
    raise CheckFailed(f"{what}: the request went through", expected="BudgetExceeded", got="a response")


@exercise("2.2", points=3, title="A hard budget at the API-call level")
def never_crosses_the_day_cap(ns: Namespace) -> None:
    sb = sandbox(scenarios.runaway(), seed=ns.rng.randrange(1000))
    cap = round(ns.rng.uniform(0.1, 0.4), 2)
    counting = _Counting(sb)
    seen: list[float] = []
    budget = _budget(ns, sb, counting, per_day=cap, on_spend=seen.append)
    agent = _Recording(sb.client(transport=budget), world=sb.world, backoffice=sb.backoffice, catalog=sb.catalog)
    question = ns.rng.choice(_ALL_ORDERS)
    try:
        agent.ask(question)
    except BudgetExceeded as exc:
        refusal: BudgetExceeded | None = exc
    except httpx.HTTPStatusError:
        refusal = None
    spent = sb.log.total_cost()
    if spent > cap + 1e-12:
        raise CheckFailed(
            f"a runaway loop behind a ${cap:.2f}/day budget spent more than the cap",
            expected=f"at most ${cap:.4f}",
            got=f"${spent:.4f} over {len(sb.log)} requests",
            hint="Checking what was spent so far lets the crossing request through. Decide before sending, "
            "from what the request could cost at most.",
        )
    if refusal is None or refusal.scope != "day":
        raise CheckFailed(
            "the loop should end with a BudgetExceeded refusal for the day",
            expected="BudgetExceeded(scope='day')",
            got=refusal,
        )
    worst = _expected_worst(agent.request_body(agent.last), sb.catalog)
    if spent + worst <= cap + 1e-12:
        raise CheckFailed(
            "the budget refused a request that fitted: it stops the agent too early",
            expected=f"allowed (spent ${spent:.4f} + worst case ${worst:.4f} <= cap ${cap:.2f})",
            got="BudgetExceeded",
            hint="After a response, charge what it actually cost (its usage), not the worst case you estimated.",
        )
    if counting.sent != len(sb.log):
        raise CheckFailed("every request your transport forwards must reach the provider once")
    if not seen or not _close(seen[0], sb.log[0].cost_usd):
        raise CheckFailed(
            "on_spend should be called after each charged request with the day's total",
            expected=round(sb.log[0].cost_usd, 8),
            got=seen[0] if seen else "never called",
        )


@exercise("2.2", points=1)
def works_with_the_openai_sdk(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    small = [{"role": "user", "content": "What is your return policy?"}]
    big = [{"role": "user", "content": long_paste(ns.rng.randint(4_000, 9_000)) + "\nWhat is your return policy?"}]
    ceiling = ns.rng.randint(200, 1_000)
    low = _expected_worst({"model": "wf-chat", "messages": small, "max_completion_tokens": ceiling}, sb.catalog)
    high = _expected_worst({"model": "wf-chat", "messages": big, "max_completion_tokens": ceiling}, sb.catalog)
    cap = ns.rng.uniform(low * 1.1, high * 0.9)
    budget = _budget(ns, sb, sb.provider.transport(), per_request=cap)
    sdk = sb.openai(http_client=sb.client(transport=budget))
    answer = sdk.chat.completions.create(model="wf-chat", messages=small, max_completion_tokens=ceiling)
    if not answer.choices:
        raise CheckFailed("a small request through the openai SDK should get an answer")
    _expect_refusal(
        lambda: sdk.chat.completions.create(model="wf-chat", messages=big, max_completion_tokens=ceiling),
        "request",
        f"a request whose worst case is ${high:.4f}, sent through the openai SDK with a ${cap:.4f} per-request cap",
    )
    if len(sb.log) != 1:
        raise CheckFailed("the refused request reached the provider", expected=1, got=len(sb.log))


@exercise("2.2", points=1)
def keeps_sessions_apart(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    body = {"model": "wf-chat", "messages": [{"role": "user", "content": _text(ns, 50)}], "max_tokens": 300}
    worst = _expected_worst(body, sb.catalog)
    per_session = worst * ns.rng.uniform(1.001, 1.02)  # room for one request, never two
    budget = _budget(ns, sb, sb.provider.transport(), per_session=per_session, per_day=100.0)
    client = sb.client(transport=budget)
    client.post("/chat/completions", json=body)
    _expect_refusal(
        lambda: client.post("/chat/completions", json=body), "session", "a second request in a full session"
    )
    budget.new_session()
    client.post("/chat/completions", json=body)
    if len(sb.log) != 2:
        raise CheckFailed("after new_session() the same request should be allowed", expected=2, got=len(sb.log))
    if not _close(budget.day_spent, sb.log.total_cost()):
        raise CheckFailed(
            "day_spent should keep counting across sessions (new_session resets the session only)",
            expected=sb.log.total_cost(),
            got=budget.day_spent,
        )


@exercise("2.2", points=1, hidden=True)
def charges_what_the_provider_billed(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    sb.provider.add_fault(FaultWindow(0.0, 0.03, "rate_limit", retry_after=1.0))
    sb.provider.add_fault(FaultWindow(30.0, 30.03, "overloaded"))
    budget = _budget(ns, sb, sb.provider.transport(), per_day=50.0)
    sdk = sb.openai(http_client=sb.client(transport=budget))
    for _ in range(ns.rng.randint(2, 4)):
        sdk.chat.completions.create(model="wf-chat", messages=[{"role": "user", "content": _text(ns, 30)}])
        sb.clock.advance_to(30.0 if sb.clock.now() < 30.0 else sb.clock.now() + 1.0)
    errors = sum(1 for e in sb.log if not e.ok)
    if not _close(budget.day_spent, sb.log.total_cost()):
        raise CheckFailed(
            f"after SDK calls with {errors} retried error(s), the budget's day_spent should equal the provider's bill",
            expected=round(sb.log.total_cost(), 8),
            got=budget.day_spent,
            hint="Error responses cost nothing; a 200 costs what its usage says. The SDK's retries pass through "
            "your transport too.",
        )
    sb.clock.advance_to(sb.clock.next_at(hour=0) + 60.0)
    body = {"model": "wf-chat", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 50}
    budget.per_day = budget.day_spent + _expected_worst(body, sb.catalog) * 0.5
    try:
        sb.client(transport=budget).post("/chat/completions", json=body)
    except BudgetExceeded:
        raise CheckFailed(
            "after midnight (simulated) a small request was refused: yesterday's spend still counts against today",
            expected="allowed",
            got="BudgetExceeded",
            hint="Compare the clock's date (clock.datetime().date()) with the day you are counting.",
        ) from None
    if not _close(budget.day_spent, sb.log[-1].cost_usd):
        raise CheckFailed(
            "at midnight (simulated) the day's spend should start again from zero",
            expected=sb.log[-1].cost_usd,
            got=budget.day_spent,
            hint="Compare the clock's date (clock.datetime().date()) with the day you are counting.",
        )


# -- 2.3 alerts --------------------------------------------------------------------------------------------------


def _alerts(ns: Namespace, limit: float, thresholds: tuple[float, ...] | None = None) -> tuple[Any, list[Any]]:
    spend_alerts = ns.function("SpendAlerts")
    fired: list[tuple[float, float]] = []

    def notify(threshold: float, spent: float) -> None:
        fired.append((threshold, spent))

    if thresholds is None:
        return spend_alerts(limit, notify), fired
    return spend_alerts(limit, notify, thresholds=thresholds), fired


@exercise("2.3", points=1, title="Alerts at thresholds")
def fires_each_threshold_once(ns: Namespace) -> None:
    limit = float(ns.rng.choice([4, 10, 20, 50]))
    alerts, fired = _alerts(ns, limit)
    values = sorted(round(ns.rng.uniform(0, 1.3 * limit), 4) for _ in range(12))
    values += [0.5 * limit, 0.8 * limit, limit, limit * 1.1]
    values.sort()
    expected = []
    for t in (0.5, 0.8, 1.0):
        first = next(v for v in values if v >= t * limit)
        expected.append((t, first))
    for v in values:
        alerts(v)
        alerts(v)  # the same total reported twice
    got = [(t, round(s, 4)) for t, s in fired]
    if got != [(t, round(s, 4)) for t, s in expected]:
        raise CheckFailed(
            f"with a ${limit:g} limit, each threshold should fire once, at the first total that reaches it",
            expected=expected,
            got=fired,
            hint="Remember which thresholds already fired. 'Reaches' includes exactly equal.",
        )


@exercise("2.3", points=1)
def one_jump_crosses_several(ns: Namespace) -> None:
    limit = float(ns.rng.choice([3, 8, 25]))
    thresholds = tuple(sorted(ns.rng.sample([0.25, 0.5, 0.6, 0.75, 0.9], 3)))
    alerts, fired = _alerts(ns, limit, thresholds)
    jump = round(limit * (thresholds[-2] + thresholds[-1]) / 2, 4)
    alerts(jump)
    alerts(limit * 2)
    expected = [(thresholds[0], jump), (thresholds[1], jump), (thresholds[2], limit * 2)]
    if fired != expected:
        raise CheckFailed(
            f"one request took the total from $0 to ${jump:g} (limit ${limit:g}, thresholds {thresholds})",
            expected=expected,
            got=fired,
            hint="A single big request can cross several thresholds at once: each of them fires, lowest first.",
        )


# -- 2.4 input and context guards --------------------------------------------------------------------------------


@exercise("2.4", points=1, title="Input and context guards")
def reduces_a_giant_paste(ns: Namespace) -> None:
    guard_input = ns.function("guard_input")
    limit = ns.rng.randint(400, 3_000)
    oid = f"A{ns.rng.randint(1000, 1199)}"
    question = f"Anyway: where is my order {oid}?"
    text = f"Here is my browser console:\n{long_paste(ns.rng.choice([8_000, 20_000, 40_000]))}\n{question}"
    got = guard_input(text, max_tokens=limit)
    if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], str)):
        raise CheckFailed("guard_input should return (text to send, notice or None)", got=type(got).__name__)
    reduced, notice = got
    if count_tokens(reduced) > limit:
        raise CheckFailed(
            f"the reduced text should fit in max_tokens={limit}",
            expected=f"<= {limit} tokens",
            got=f"{count_tokens(reduced)} tokens",
            hint="Characters are not tokens: this paste has fewer than 4 characters per token. Count with "
            "count_tokens, cut with truncate_tokens.",
        )
    if not reduced.rstrip().endswith(question):
        raise CheckFailed(
            "the customer's question (the last line of the paste) must survive the cut",
            expected=f"... {question}",
            got=reduced[-80:],
            hint="People paste first and ask last.",
        )
    if not isinstance(notice, str) or not notice.strip():
        raise CheckFailed("the customer should be told their message was cut (a notice)", got=notice)
    short = _text(ns, 20)
    got = guard_input(short, max_tokens=limit)
    if got != (short, None):
        raise CheckFailed("a message that fits should pass unchanged, with no notice", expected=(short, None), got=got)


def _conversation(ns: Namespace, turns: int) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = [{"role": "system", "content": _text(ns, 30)}]
    for i in range(turns):
        msgs.append({"role": "user", "content": _text(ns, ns.rng.randint(20, 600))})
        if ns.rng.random() < 0.7:
            calls = [
                {
                    "id": f"call_{i}_{j}",
                    "type": "function",
                    "function": {"name": "get_order", "arguments": f'{{"order_id": "A{1000 + j}"}}'},
                }
                for j in range(ns.rng.randint(1, 3))
            ]
            msgs.append({"role": "assistant", "content": None, "tool_calls": calls})
            for call in calls:
                msgs.append({"role": "tool", "tool_call_id": call["id"], "content": _text(ns, ns.rng.randint(30, 250))})
        msgs.append({"role": "assistant", "content": _text(ns, ns.rng.randint(10, 120))})
    msgs.append({"role": "user", "content": _text(ns, ns.rng.randint(5, 40))})
    return msgs


def _turn_greedy(messages: list[dict[str, Any]], window: int, reserve: int) -> int:
    """How many non-system messages dropping whole turns (oldest first) keeps."""
    system, rest = messages[:1], messages[1:]
    starts = [i for i, m in enumerate(rest) if m["role"] == "user"]
    for s in starts:
        if count_message_tokens(system + rest[s:], TOOLS) + reserve <= window:
            return len(rest) - s
    return 1


def _check_history(ns: Namespace, fit_history: Any, messages: list[dict[str, Any]], window: int, reserve: int) -> None:
    got = fit_history(messages, context_window=window, reserve=reserve, tools=TOOLS)
    what = f"{len(messages)} messages, context_window={window}, reserve={reserve}"
    size = count_message_tokens(got, TOOLS)
    if size + reserve > window:
        raise CheckFailed(
            f"fit_history ({what}) should leave room for the answer",
            expected=f"prompt <= {window - reserve} tokens",
            got=f"{size} tokens",
            hint="The window holds the prompt AND the completion: keep `reserve` tokens free.",
        )
    if not got or got[0] != messages[0]:
        raise CheckFailed(f"fit_history ({what}) should keep the system message first", got=got[:1])
    if got[-1] != messages[-1]:
        raise CheckFailed(f"fit_history ({what}) should keep the latest user message", got=got[-1:])
    rest = got[1:]
    if rest != messages[len(messages) - len(rest) :]:
        raise CheckFailed(
            f"fit_history ({what}) should drop the oldest messages and keep the rest in order, unchanged",
            hint="Trim from the front of the conversation (after the system message).",
        )
    answered: set[str] = set()
    for m in rest:
        for call in m.get("tool_calls") or ():
            answered.add(call["id"])
        if m["role"] == "tool" and m["tool_call_id"] not in answered:
            raise CheckFailed(
                f"fit_history ({what}) left a tool result without the assistant message that called it",
                got=m["tool_call_id"],
                hint="The API answers 400 to a `tool` message whose call is not in the conversation. Drop a tool "
                "call and its results together.",
            )
    keep = _turn_greedy(messages, window, reserve)
    if len(rest) < keep:
        raise CheckFailed(
            f"fit_history ({what}) dropped more than it had to",
            expected=f"at least {keep} messages after the system message",
            got=len(rest),
        )


@exercise("2.4", points=2)
def fits_history_with_room_for_the_answer(ns: Namespace) -> None:
    fit_history = ns.function("fit_history")
    messages = _conversation(ns, ns.rng.randint(12, 20))
    full = count_message_tokens(messages, TOOLS)
    for share in (ns.rng.uniform(0.3, 0.5), ns.rng.uniform(0.6, 0.9)):
        reserve = ns.rng.choice([256, 512, 1_024])
        _check_history(ns, fit_history, messages, int(full * share) + reserve, reserve)
    reserve = 512
    got = fit_history(messages, context_window=full + reserve + 10, reserve=reserve, tools=TOOLS)
    if got != messages:
        raise CheckFailed("a conversation that fits should be sent unchanged", expected=len(messages), got=len(got))


@exercise("2.4", points=1, hidden=True)
def never_orphans_tool_results(ns: Namespace) -> None:
    fit_history = ns.function("fit_history")
    messages = _conversation(ns, 10)
    groups = [i for i, m in enumerate(messages) if m["role"] == "tool" and messages[i - 1]["role"] == "tool"]
    reserve = 300
    for i in groups[:4]:  # a window that cuts between two results of the same tool call
        window = count_message_tokens(messages[:1] + messages[i:], TOOLS) + reserve
        _check_history(ns, fit_history, messages, window, reserve)


# -- 2.5 the guarded agent ---------------------------------------------------------------------------------------


def _guarded(ns: Namespace, sb: Sandbox, client: httpx.Client | None = None, **kwargs: Any) -> Any:
    guarded_agent = ns.function("GuardedAgent")
    return guarded_agent(
        client or sb.client(), world=sb.world, backoffice=sb.backoffice, catalog=sb.catalog, clock=sb.clock, **kwargs
    )


def _tickets(sb: Sandbox) -> int:
    return sum(1 for a in sb.backoffice.actions if a.kind == "ticket")


@exercise("2.5", points=2, title="A step ceiling and a useful answer")
def ends_a_runaway_loop_usefully(ns: Namespace) -> None:
    sb = sandbox(scenarios.runaway(), seed=ns.rng.randrange(1000))
    steps = ns.rng.randint(3, 9)
    agent = _guarded(ns, sb, max_steps=steps)
    question = ns.rng.choice(_ALL_ORDERS)
    reply = agent.ask(question)
    if len(sb.log) != steps:
        raise CheckFailed(
            f"with max_steps={steps}, {question!r} should send exactly {steps} requests",
            expected=steps,
            got=len(sb.log),
        )
    if reply.finished or not reply.answer.strip():
        raise CheckFailed(
            "a stopped loop should return an unfinished reply with an answer for the customer",
            expected="finished=False and a non-empty answer",
            got=f"finished={reply.finished}, answer={reply.answer!r}",
        )
    if _tickets(sb) != 1:
        raise CheckFailed(
            "a stopped loop should open one ticket in the backoffice, so a person follows up",
            expected=1,
            got=_tickets(sb),
            hint="The kit's give_up promises that 'a colleague will follow up' but tells no colleague.",
        )
    order = ns.rng.choice(list(sb.world.orders.values()))
    reply = agent.ask(f"Where is my order {order.id}?")
    if not reply.finished or reply.status != order.status or _tickets(sb) != 1:
        raise CheckFailed(
            "an ordinary question should still be answered normally, with no ticket",
            expected=f"finished=True, status={order.status!r}",
            got=f"finished={reply.finished}, status={reply.status!r}, tickets={_tickets(sb)}",
        )


class _Refusing(httpx.BaseTransport):
    def __init__(self, scope: str) -> None:
        self.scope = scope

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise BudgetExceeded(self.scope, limit=5.0, spent=4.99, estimate=0.02)  # type: ignore[arg-type]


@exercise("2.5", points=1)
def budget_refusal_becomes_an_answer(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    scope = ns.rng.choice(["session", "day"])
    agent = _guarded(ns, sb, client=sb.client(transport=_Refusing(scope)))
    try:
        reply = agent.ask("Where is my order A1003?")
    except BudgetExceeded:
        raise CheckFailed(
            "a budget refusal reached the customer as an exception (an error page)",
            expected="a reply with finished=False and a message",
            got="BudgetExceeded raised",
            hint="Catch the refusal in ask() and answer with its user_message.",
        ) from None
    if reply.finished or not reply.answer.strip() or _tickets(sb) != 1:
        raise CheckFailed(
            "a refused question should get an unfinished reply, a message for the customer, and a ticket",
            expected="finished=False, an answer, 1 ticket",
            got=f"finished={reply.finished}, answer={reply.answer!r}, tickets={_tickets(sb)}",
        )


@exercise("2.5", points=1, hidden=True)
def answers_the_paste_and_the_long_chat(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    agent = _guarded(ns, sb)
    order = ns.rng.choice(list(sb.world.orders.values()))
    reply = agent.ask(f"My console:\n{long_paste(40_000)}\nWhere is my order {order.id}?")
    if not reply.finished or reply.status != order.status:
        raise CheckFailed(
            "a 40,000-token paste ending in an order question should still get the order's status",
            expected=order.status,
            got=f"finished={reply.finished}, status={reply.status!r}",
            hint="Guard the input before the loop starts, and tell the customer what you cut.",
        )
    history: list[dict[str, Any]] = []
    for _ in range(12):
        history += [
            {"role": "user", "content": long_paste(3_000)},
            {"role": "assistant", "content": "I see only heartbeat lines there."},
        ]
    reply = agent.ask(f"Where is my order {order.id}?", history=history)
    bad = [e.error_code for e in sb.log if not e.ok]
    if bad or reply.status != order.status:
        raise CheckFailed(
            "a conversation longer than the context window should be trimmed, not answered with a 400",
            expected="no errors",
            got=bad or reply.status,
            hint="Fit the history to the window in call_model, leaving max_tokens free for the answer.",
        )
