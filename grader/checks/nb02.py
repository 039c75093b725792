"""Checks of notebook 02 (runaway spend): cost accounting, a hard budget at the API-call level, alerts, input and
context guards, and the step ceiling of the guarded agent.

Every check builds its own sandbox with a seed drawn from ``ns.rng``, so scenarios differ per run; the cases that
decide whether a rule is exercised (a boundary, a stream, an error response, a falling total) are always included.
"""

from __future__ import annotations

from typing import Any

import httpx
from openai.types.chat import ChatCompletionMessageParam

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks._helpers import expected_worst_case, must_not_raise, must_raise, same_amount
from weekfour import scenarios
from weekfour.agent import SupportAgent
from weekfour.catalog import default_catalog
from weekfour.labs.runaway_spend import BudgetExceeded
from weekfour.sandbox import Sandbox, sandbox
from weekfour.tokens import count_message_tokens, count_tokens
from weekfour.traffic import long_paste
from weekfour.types import FaultWindow
from weekfour.world import TOOLS

RULES = {
    # 2.1
    "2.1/cost-from-usage": "cost_of prices usage.prompt_tokens at the input rate and usage.completion_tokens at the "
    "output rate, per million, for the snapshot in the response's `model`",
    "2.1/cost-missing-usage": "a response without `usage`, or without one of its counts, costs 0 for those tokens",
    "2.1/worst-prompt-as-the-api": "worst_case_cost counts the prompt as the API does: count_message_tokens over the "
    "messages and the tools",
    "2.1/worst-ceiling-order": "the completion ceiling is max_completion_tokens, else max_tokens (both present: "
    "max_completion_tokens)",
    "2.1/worst-no-ceiling": "a body with no ceiling is charged min(max_output_tokens, context_window - prompt) "
    "completion tokens, never fewer than 0",
    # 2.2
    "2.2/only-chat-completions": "requests that are not POST .../chat/completions pass straight through, never "
    "refused or charged",
    "2.2/refuse-before-send": "a request whose worst case would cross a ceiling is refused before anything is sent",
    "2.2/ceiling-scopes": "per_request compares the estimate alone, per_session session_spent + estimate, per_day "
    "day_spent + estimate; None is no ceiling",
    "2.2/cross-not-reach": "a worst case that lands exactly on a ceiling is allowed; only crossing it is refused",
    "2.2/refusal-fields": "the refusal is a BudgetExceeded naming its scope, limit, spent and estimate",
    "2.2/day-rollover": "when the clock's date changes, day_spent starts again at 0 (the session does not)",
    "2.2/errors-cost-nothing": "an error response is handed back as is and charges nothing",
    "2.2/charge-actual-cost": "a 200 is read and charged what it actually cost to session_spent and day_spent",
    "2.2/stream-charged": "a stream (text/event-stream) is handed on unread and charged its worst case",
    "2.2/on-spend-after-charge": "on_spend(day_spent) is called after each charge, and only then",
    "2.2/on-spend-on-day-refusal": "a day refusal first calls on_spend(day_spent + estimate); a request or session "
    "refusal does not",
    # 2.3
    "2.3/fires-at-threshold": "a threshold fires when the total reaches it (>=), not just under it",
    "2.3/notify-args": "notify(threshold, spent) gets the threshold and the total that reached it",
    "2.3/once-ever": "each threshold fires once, ever: repeated, falling and rising-again totals never fire it twice",
    "2.3/several-lowest-first": "one report crossing several thresholds fires each of them, lowest first",
    # 2.4
    "2.4/input-fits-unchanged": "a text of at most max_tokens tokens comes back unchanged with notice None",
    "2.4/input-at-most-max": "a longer text is reduced to at most max_tokens tokens",
    "2.4/input-keeps-last-line": "the reduced text ends with the text's last line",
    "2.4/input-keeps-the-start": "the rest of the room is the text's beginning, as much of it as fits",
    "2.4/input-long-last-line": "a last line longer than max_tokens on its own is cut to its end",
    "2.4/input-notice": "a reduced text comes with a notice for the customer",
    "2.4/history-fits-unchanged": "a conversation with prompt + reserve <= context_window is returned unchanged",
    "2.4/history-room-for-answer": "a trimmed conversation leaves reserve tokens of the window free",
    "2.4/history-keeps-head-and-latest": "the system (and developer) messages at the start and the latest user "
    "message are kept",
    "2.4/history-drops-oldest": "the oldest messages are dropped, the rest kept in order, no more dropped than needed",
    "2.4/history-no-orphan-tool": "no tool message is kept whose assistant tool_calls message was dropped",
    "2.4/history-too-long": "when even the latest message does not fit, fit_history raises ValueError",
    # 2.5
    "2.5/step-ceiling": "with max_steps=N a runaway question sends exactly N requests",
    "2.5/give-up-ticket": "give_up returns an unfinished reply, opens one ticket naming the question's order, and "
    "replaces the kit's empty promise with an answer",
    "2.5/ordinary-unchanged": "an ordinary question is answered as before, with no ticket",
    "2.5/input-guarded": "ask guards the question with guard_input(max_input_tokens) and prepends its notice",
    "2.5/history-fitted": "call_model fits the history to the model's window, keeping max_tokens free",
    "2.5/refusal-answered": "a BudgetExceeded becomes an unfinished reply whose answer is the refusal's user_message "
    "(never its internal text) and a ticket; it is never raised",
}

_WORDS = ("order", "refund", "where", "is", "my", "parcel", "please", "thanks", "the", "shoes", "jacket", "late")
_ALL_ORDERS = ("Can you check all my orders?", "check all my orders please", "What's going on with all my orders?")


def _text(ns: Namespace, n: int) -> str:
    return " ".join(ns.rng.choice(_WORDS) for _ in range(n))


# -- 2.1 cost accounting -----------------------------------------------------------------------------------------


@exercise("2.1", points=1, title="Cost accounting", rules=["2.1/cost-from-usage", "2.1/cost-missing-usage"])
def prices_a_response(ns: Namespace) -> None:
    cost_of = ns.function("cost_of")
    catalog = default_catalog()
    for _ in range(4):
        spec = ns.rng.choice(list(catalog))
        prompt, completion = ns.rng.randint(1, 30_000), ns.rng.randint(0, 4_000)
        response: dict[str, Any] = {
            "model": spec.id,
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }
        want = catalog.price(spec.id, prompt, completion)
        got = cost_of(response, catalog)
        if not isinstance(got, int | float) or not same_amount(float(got), want):
            raise CheckFailed(
                f"cost_of should price {prompt} prompt and {completion} completion tokens of {spec.id} in USD",
                expected=round(want, 8),
                got=got,
                hint="Input and output tokens have different prices per million; the snapshot in `model` says which.",
            )
    spec = ns.rng.choice(list(catalog))
    n = ns.rng.randint(10, 5_000)
    for usage, want, what in (
        (None, 0.0, "a response with no `usage` at all"),
        ({"prompt_tokens": n}, catalog.price(spec.id, n, 0), f"a usage with prompt_tokens={n} and no completion count"),
        (
            {"completion_tokens": n},
            catalog.price(spec.id, 0, n),
            f"a usage with completion_tokens={n} and no prompt count",
        ),
    ):
        response = {"model": spec.id}
        if usage is not None:
            response["usage"] = usage
        got = cost_of(response, catalog)
        if not isinstance(got, int | float) or not same_amount(float(got), want):
            raise CheckFailed(
                f"cost_of of {what} ({spec.id})",
                expected=round(want, 8),
                got=got,
                hint="A count that is not there is 0 tokens, not an error and not a guess.",
            )
    sb = sandbox(seed=ns.rng.randrange(1000))
    body = {"model": "wf-chat", "messages": [{"role": "user", "content": "What is your return policy?"}]}
    response = sb.client().post("/chat/completions", json=body).json()
    got = cost_of(response, sb.catalog)
    if not isinstance(got, int | float) or not same_amount(float(got), sb.log[-1].cost_usd):
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
    if ceiling_kind == "both":
        body["max_tokens"] = ns.rng.randint(1_000, 2_000)
        body["max_completion_tokens"] = ns.rng.randint(16, 900)
    elif ceiling_kind != "none":
        body[ceiling_kind] = ns.rng.randint(16, 2_000)
    return body


def _near_window_body(ns: Namespace, over: bool) -> dict[str, Any]:
    """A wf-mini body with no ceiling whose prompt leaves less room than the model's output limit (or none)."""
    spec = default_catalog().resolve("wf-mini")
    target = spec.context_window + ns.rng.randint(50, 500) if over else spec.context_window - ns.rng.randint(200, 1_500)
    paste = long_paste(target - 40)
    messages = [{"role": "system", "content": "You help."}, {"role": "user", "content": paste}]
    return {"model": "wf-mini", "messages": messages}


def _where(body: dict[str, Any]) -> str:
    ceilings = [f"`{k}`: {body[k]}" for k in ("max_completion_tokens", "max_tokens") if k in body]
    return " and ".join(ceilings) if ceilings else "no completion ceiling"


@exercise(
    "2.1",
    points=2,
    rules=["2.1/worst-prompt-as-the-api", "2.1/worst-ceiling-order", "2.1/worst-no-ceiling"],
)
def bounds_the_worst_case(ns: Namespace) -> None:
    worst_case_cost = ns.function("worst_case_cost")
    catalog = default_catalog()
    kinds = ["max_tokens", "max_completion_tokens", "none", "both"]
    ns.rng.shuffle(kinds)
    sb = sandbox(seed=ns.rng.randrange(1000))
    bodies = [(_random_body(ns, kind), True) for kind in kinds]
    bodies += [(_near_window_body(ns, over=False), True), (_near_window_body(ns, over=True), False)]
    for body, send in bodies:
        got = worst_case_cost(body, catalog)
        want = expected_worst_case(body, catalog)
        prompt = count_message_tokens(body["messages"], tools=body.get("tools"))
        if not isinstance(got, int | float) or not same_amount(float(got), want):
            raise CheckFailed(
                f"worst_case_cost is off for a {body['model']} request of {len(body['messages'])} messages "
                f"({prompt} prompt tokens){' with tools' if 'tools' in body else ''} and {_where(body)}",
                expected=round(want, 8),
                got=got,
                hint="Count the prompt as the API does (every message's overhead and the tools too: "
                "count_message_tokens), then add the most completion tokens the request allows: the body's own "
                "ceiling in the order the exercise gives. No ceiling in the body does not mean zero: the model's "
                "output limit applies, but never more than the window leaves (and never less than nothing).",
            )
        if not send:
            continue
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
    """The provider's transport, counting what reaches it and answering as a real network transport does: a body
    is not read until someone reads it."""

    def __init__(self, sb: Sandbox) -> None:
        self.inner = sb.provider.transport()
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        sent = self.inner.handle_request(request)
        if sent.headers.get("content-type", "").startswith("text/event-stream"):
            return sent
        content = sent.read()
        return httpx.Response(sent.status_code, headers=sent.headers, stream=httpx.ByteStream(content), request=request)


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
    exc = must_raise(
        call,
        BudgetExceeded,
        f"{what}: expected a BudgetExceeded refusal before sending",
        returned=f"{what}: the request went through",
        hint="Raise the course's BudgetExceeded (a plain exception) from the transport. An httpx error or an "
        "HTTP error response is something clients retry or report as a network failure.",
    )
    if exc.scope != scope:
        raise CheckFailed(f"{what}: the refusal names the wrong ceiling", expected=scope, got=exc.scope)
    return exc


def _expect_fields(exc: BudgetExceeded, what: str, *, limit: float, spent: float, estimate: float) -> None:
    got = {"limit": exc.limit, "spent": exc.spent, "estimate": exc.estimate}
    want = {"limit": limit, "spent": spent, "estimate": estimate}
    if not all(same_amount(got[k], want[k]) for k in want):
        raise CheckFailed(
            f"{what}: the refusal should say which ceiling, what its scope had spent before this request, and the "
            "request's worst case",
            expected={k: round(v, 8) for k, v in want.items()},
            got={k: round(v, 8) for k, v in got.items()},
        )


@exercise(
    "2.2",
    points=2,
    title="A hard budget at the API-call level",
    rules=[
        "2.2/refuse-before-send",
        "2.2/refusal-fields",
        "2.2/charge-actual-cost",
        "2.2/on-spend-after-charge",
        "2.2/on-spend-on-day-refusal",
    ],
)
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
    worst = expected_worst_case(agent.request_body(agent.last), sb.catalog)
    if spent + worst <= cap + 1e-12:
        raise CheckFailed(
            "the budget refused a request that fitted: it stops the agent too early",
            expected=f"allowed (spent ${spent:.4f} + worst case ${worst:.4f} <= cap ${cap:.2f})",
            got="BudgetExceeded",
            hint="After a response, charge what it actually cost (its usage), not the worst case you estimated.",
        )
    if counting.sent != len(sb.log):
        raise CheckFailed("every request your transport forwards must reach the provider once")
    estimate = float(ns.function("worst_case_cost")(agent.request_body(agent.last), sb.catalog))
    _expect_fields(refusal, "the day refusal", limit=cap, spent=spent, estimate=estimate)
    if not seen or not same_amount(seen[0], sb.log[0].cost_usd):
        raise CheckFailed(
            "on_spend should be called after each charged request with the day's total",
            expected=round(sb.log[0].cost_usd, 8),
            got=seen[0] if seen else "never called",
        )
    if len(seen) != len(sb.log) + 1 or not same_amount(seen[-1], spent + estimate):
        raise CheckFailed(
            f"after {len(sb.log)} charged requests and one day refusal, on_spend should have been called "
            f"{len(sb.log) + 1} times, the last with the total the refused request would have brought",
            expected=f"{len(sb.log) + 1} calls, the last {spent + estimate:.8f}",
            got=f"{len(seen)} calls, the last {seen[-1]:.8f}",
            hint="The day's 100% alert can only fire if someone hears about the total that would have crossed the "
            "cap: tell on_spend before you refuse for the day.",
        )


@exercise("2.2", points=1, rules=["2.2/refuse-before-send", "2.2/ceiling-scopes"])
def works_with_the_openai_sdk(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    small: list[ChatCompletionMessageParam] = [{"role": "user", "content": "What is your return policy?"}]
    big: list[ChatCompletionMessageParam] = [
        {"role": "user", "content": long_paste(ns.rng.randint(4_000, 9_000)) + "\nWhat is your return policy?"}
    ]
    ceiling = ns.rng.randint(200, 1_000)
    low = expected_worst_case({"model": "wf-chat", "messages": small, "max_completion_tokens": ceiling}, sb.catalog)
    high = expected_worst_case({"model": "wf-chat", "messages": big, "max_completion_tokens": ceiling}, sb.catalog)
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


@exercise(
    "2.2",
    points=1,
    rules=[
        "2.2/ceiling-scopes",
        "2.2/cross-not-reach",
        "2.2/refusal-fields",
        "2.2/on-spend-on-day-refusal",
        "2.2/day-rollover",
    ],
)
def keeps_sessions_apart(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    worst_case_cost = ns.function("worst_case_cost")
    body = {"model": "wf-chat", "messages": [{"role": "user", "content": _text(ns, 50)}], "max_tokens": 300}
    worst = float(worst_case_cost(body, sb.catalog))
    seen: list[float] = []
    client = sb.client(transport=_budget(ns, sb, sb.provider.transport(), per_request=worst, on_spend=seen.append))
    try:
        client.post("/chat/completions", json=body)
    except BudgetExceeded:
        raise CheckFailed(
            "a request whose worst case is exactly the per-request cap was refused",
            expected="allowed (landing on a ceiling is not crossing it)",
            got="BudgetExceeded",
            hint="Refuse only when the worst case would go over the ceiling.",
        ) from None
    tight = worst * (1 - 1e-6)
    client = sb.client(transport=_budget(ns, sb, sb.provider.transport(), per_request=tight, on_spend=seen.append))
    n_seen = len(seen)
    exc = _expect_refusal(
        lambda: client.post("/chat/completions", json=body), "request", "a request just over the per-request cap"
    )
    _expect_fields(exc, "a request refusal", limit=tight, spent=0.0, estimate=worst)

    per_session = worst * ns.rng.uniform(1.001, 1.02)  # room for one request, never two
    budget = _budget(ns, sb, sb.provider.transport(), per_session=per_session, per_day=100.0, on_spend=seen.append)
    client = sb.client(transport=budget)
    client.post("/chat/completions", json=body)
    n_seen = len(seen)
    exc = _expect_refusal(
        lambda: client.post("/chat/completions", json=body), "session", "a second request in a full session"
    )
    _expect_fields(exc, "a session refusal", limit=per_session, spent=sb.log[-1].cost_usd, estimate=worst)
    if len(seen) != n_seen:
        raise CheckFailed(
            "a session (or request) refusal called on_spend: the day's alerts would fire on a total that is not the "
            "day's",
            expected=f"{n_seen} calls",
            got=f"{len(seen)} calls",
            hint="Only a refusal for the day tells on_spend what the day would have reached.",
        )
    budget.new_session()
    client.post("/chat/completions", json=body)
    if len(sb.log) != 3:
        raise CheckFailed("after new_session() the same request should be allowed", expected=3, got=len(sb.log))
    day = sb.log[-2].cost_usd + sb.log[-1].cost_usd
    if not same_amount(budget.day_spent, day):
        raise CheckFailed(
            "day_spent should keep counting across sessions (new_session resets the session only)",
            expected=day,
            got=budget.day_spent,
        )

    silent = _budget(ns, sb, sb.provider.transport(), per_day=worst * 0.5)  # no on_spend at all
    exc = _expect_refusal(
        lambda: sb.client(transport=silent).post("/chat/completions", json=body),
        "day",
        "a day refusal by a budget with no on_spend",
    )
    _expect_fields(exc, "a day refusal", limit=worst * 0.5, spent=0.0, estimate=worst)

    sb.clock.advance_to(sb.clock.next_at(hour=0) + 60.0)
    session = budget.session_spent
    budget.per_session = None
    budget.per_day = worst + budget.day_spent * 0.5  # room today for one request, not with yesterday's spend
    try:
        client.post("/chat/completions", json=body)
    except BudgetExceeded:
        raise CheckFailed(
            "after midnight (simulated) a small request was refused: yesterday's spend still counts against today",
            expected="allowed",
            got="BudgetExceeded",
            hint="Compare the clock's date (clock.datetime().date()) with the day you are counting.",
        ) from None
    cost = sb.log[-1].cost_usd
    if not same_amount(budget.day_spent, cost):
        raise CheckFailed(
            "at midnight (simulated) the day's spend should start again from zero",
            expected=cost,
            got=budget.day_spent,
            hint="Compare the clock's date (clock.datetime().date()) with the day you are counting.",
        )
    if not same_amount(budget.session_spent, session + cost):
        raise CheckFailed(
            "a new day is not a new session: session_spent should keep counting over midnight",
            expected=session + cost,
            got=budget.session_spent,
        )


@exercise(
    "2.2",
    points=1,
    rules=["2.2/only-chat-completions", "2.2/errors-cost-nothing", "2.2/stream-charged", "2.2/on-spend-after-charge"],
)
def charges_what_each_response_cost(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    worst_case_cost = ns.function("worst_case_cost")
    sb.provider.add_fault(FaultWindow(0.0, 1.0, ns.rng.choice(["rate_limit", "overloaded"]), retry_after=1.0))
    seen: list[float] = []
    budget = _budget(ns, sb, _Counting(sb), per_day=50.0, on_spend=seen.append)
    client = sb.client(transport=budget)
    body = {
        "model": "wf-chat",
        "messages": [{"role": "user", "content": _text(ns, ns.rng.randint(5, 60))}],
        "max_tokens": ns.rng.randint(100, 800),
    }
    response = client.post("/chat/completions", json=body)
    if response.status_code == 200:
        raise CheckFailed("the check's simulated outage did not happen: tell your instructor")
    if budget.day_spent != 0 or budget.session_spent != 0 or seen:
        raise CheckFailed(
            f"a {response.status_code} error response was charged",
            expected="day_spent=0, session_spent=0, on_spend never called",
            got=f"day_spent={budget.day_spent}, session_spent={budget.session_spent}, on_spend calls={seen}",
            hint="Error responses cost nothing: hand them back as they are, before any charging.",
        )
    sb.clock.advance_to(2.0)
    response = client.post("/chat/completions", json=body)
    try:
        response.json()
    except httpx.ResponseNotRead:
        raise CheckFailed("the response body could not be read after your transport handed it on") from None
    cost = sb.log[-1].cost_usd
    if not (same_amount(budget.day_spent, cost) and same_amount(budget.session_spent, cost) and len(seen) == 1):
        raise CheckFailed(
            "a 200 should be charged what it cost (its usage) to the session and the day, then reported to on_spend",
            expected=f"day_spent=session_spent={cost:.8f}, on_spend called once",
            got=f"day_spent={budget.day_spent}, session_spent={budget.session_spent}, on_spend calls={seen}",
            hint="A real transport hands back an unread body: read the response before you price it.",
        )

    stream_body = {**body, "stream": True}
    estimate = float(worst_case_cost(stream_body, sb.catalog))
    before = budget.day_spent
    with client.stream("POST", "/chat/completions", json=stream_body) as streamed:
        chunks = b"".join(streamed.iter_bytes())
    if b"data:" not in chunks:
        raise CheckFailed("a streamed answer reached the caller empty: hand the stream on unread")
    if (
        not same_amount(budget.day_spent - before, estimate)
        or len(seen) != 2
        or not same_amount(seen[-1], budget.day_spent)
    ):
        raise CheckFailed(
            "a stream should be charged its worst case (its usage comes only at its end), then reported to on_spend",
            expected=f"+{estimate:.8f}, on_spend called with the new day_spent",
            got=f"+{budget.day_spent - before:.8f}, on_spend calls={seen}",
            hint="Look at the response's content-type before you read it: text/event-stream cannot be read first.",
        )

    budget.per_request = 0.0
    spent = budget.day_spent
    models = must_not_raise(
        lambda: client.get("/models"),
        "GET /models (not a chat completion) did not pass through the budget",
        expected="passed straight through",
        hint="Only POST .../chat/completions has a body to price; every other request goes straight to inner.",
    )
    if models.status_code != 200 or budget.day_spent != spent or len(seen) != 2:
        raise CheckFailed(
            "GET /models (not a chat completion) should pass straight through, never charged",
            expected=f"200, day_spent={spent:.8f}, no on_spend call",
            got=f"{models.status_code}, day_spent={budget.day_spent}, on_spend calls={len(seen)}",
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


@exercise(
    "2.3", points=1, title="Alerts at thresholds", rules=["2.3/fires-at-threshold", "2.3/notify-args", "2.3/once-ever"]
)
def fires_each_threshold_once(ns: Namespace) -> None:
    limit = float(ns.rng.choice([4, 10, 20, 50]))
    alerts, fired = _alerts(ns, limit)
    values = sorted(round(ns.rng.uniform(0, 1.3 * limit), 4) for _ in range(12))
    values += [0.5 * limit * (1 - 1e-9), 0.5 * limit, 0.8 * limit * (1 - 1e-9), 0.8 * limit, limit, limit * 1.1]
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
            hint="Remember which thresholds already fired. 'Reaches' includes exactly equal; just under is not yet.",
        )
    before = list(fired)
    for v in (0.0, 0.3 * limit, 0.6 * limit, 0.9 * limit, 1.2 * limit):  # midnight: the day's total falls, then rises
        alerts(v)
    if fired != before:
        raise CheckFailed(
            "after every threshold fired, the total fell (a new day) and rose again: nothing should fire again",
            expected=before,
            got=fired,
            hint="'Once per threshold, ever' means for the life of this SpendAlerts: a lower total does not re-arm "
            "a threshold. A new period gets a new SpendAlerts.",
        )


@exercise("2.3", points=1, rules=["2.3/several-lowest-first", "2.3/notify-args"])
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


def _guarded_text(guard_input: Any, text: str, limit: int) -> tuple[str, Any]:
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
    if not isinstance(notice, str) or not notice.strip():
        raise CheckFailed("the customer should be told their message was cut (a notice)", got=notice)
    return reduced, notice


@exercise(
    "2.4",
    points=1,
    title="Input and context guards",
    rules=[
        "2.4/input-fits-unchanged",
        "2.4/input-at-most-max",
        "2.4/input-keeps-last-line",
        "2.4/input-keeps-the-start",
        "2.4/input-long-last-line",
        "2.4/input-notice",
    ],
)
def reduces_a_giant_paste(ns: Namespace) -> None:
    guard_input = ns.function("guard_input")
    limit = ns.rng.randint(400, 3_000)
    oid = f"A{ns.rng.randint(1000, 1199)}"
    question = f"Anyway: where is my order {oid}?"
    intro = "Here is my browser console:"
    text = f"{intro}\n{long_paste(ns.rng.choice([8_000, 20_000, 40_000]))}\n{question}"
    reduced, _ = _guarded_text(guard_input, text, limit)
    if not reduced.rstrip().endswith(question):
        raise CheckFailed(
            "the customer's question (the last line of the paste) must survive the cut",
            expected=f"... {question}",
            got=reduced[-80:],
            hint="People paste first and ask last.",
        )
    if not reduced.startswith(intro) or count_tokens(reduced) < 0.9 * limit:
        raise CheckFailed(
            f"with max_tokens={limit}, the rest of the room should hold the paste's beginning, as much as fits",
            expected=f"starts with {intro!r}, about {limit} tokens",
            got=f"starts with {reduced[:40]!r}, {count_tokens(reduced)} tokens",
            hint="Keep the last line, then fill what is left with the start of the text (and a marker where you "
            "cut). Cutting the front in big steps throws away room you had.",
        )
    short = _text(ns, 20)
    got = guard_input(short, max_tokens=limit)
    if got != (short, None):
        raise CheckFailed("a message that fits should pass unchanged, with no notice", expected=(short, None), got=got)
    exact = "\n".join(long_paste(ns.rng.randint(100, 300)).splitlines()[:-1] + [question])
    size = count_tokens(exact)
    got = guard_input(exact, max_tokens=size)
    if got != (exact, None):
        raise CheckFailed(
            f"a message of exactly max_tokens={size} tokens fits: it should pass unchanged, with no notice",
            expected=f"({size} tokens unchanged, None)",
            got=f"({count_tokens(got[0])} tokens, {got[1]!r})" if isinstance(got, tuple) and got else got,
        )
    reduced, _ = _guarded_text(guard_input, exact, size - 1)
    if not reduced.rstrip().endswith(question):
        raise CheckFailed(
            f"a message one token over max_tokens={size - 1} should be cut, keeping its last line",
            expected=f"... {question}",
            got=reduced[-80:],
        )
    one_line = long_paste(ns.rng.randint(3_000, 6_000)).replace("\n", " ") + f" {question}"
    text = f"{intro}\n{one_line}"
    small = ns.rng.randint(200, 600)
    reduced, _ = _guarded_text(guard_input, text, small)
    if not one_line.endswith(reduced.strip()) or not reduced.rstrip().endswith(question) or len(reduced) < small:
        raise CheckFailed(
            f"a last line of {count_tokens(one_line)} tokens does not fit in max_tokens={small} on its own: keep its "
            "end",
            expected=f"the last part of the last line, ending {question!r}",
            got=reduced[:60] + " ... " + reduced[-60:],
            hint="When even the last line is too long, what the customer asked is at its end.",
        )


def _conversation(ns: Namespace, turns: int, *, calls: bool | None = None) -> list[dict[str, Any]]:
    """A long chat; ``calls=True`` gives every turn two or three tool calls (so a window can cut between results)."""
    msgs: list[dict[str, Any]] = [{"role": "system", "content": _text(ns, 30)}]
    for i in range(turns):
        msgs.append({"role": "user", "content": _text(ns, ns.rng.randint(20, 600))})
        if calls or (calls is None and ns.rng.random() < 0.7):
            n = ns.rng.randint(2, 3) if calls else ns.rng.randint(1, 3)
            tool_calls = [
                {
                    "id": f"call_{i}_{j}",
                    "type": "function",
                    "function": {"name": "get_order", "arguments": f'{{"order_id": "A{1000 + j}"}}'},
                }
                for j in range(n)
            ]
            msgs.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
            for call in tool_calls:
                msgs.append({"role": "tool", "tool_call_id": call["id"], "content": _text(ns, ns.rng.randint(30, 250))})
        msgs.append({"role": "assistant", "content": _text(ns, ns.rng.randint(10, 120))})
    msgs.append({"role": "user", "content": _text(ns, ns.rng.randint(5, 40))})
    return msgs


def _head(messages: list[dict[str, Any]]) -> int:
    """How many system/developer messages open the conversation."""
    n = 0
    while n < len(messages) and messages[n]["role"] in ("system", "developer"):
        n += 1
    return n


def _turn_greedy(messages: list[dict[str, Any]], window: int, reserve: int) -> int:
    """How many non-head messages dropping whole turns (oldest first) keeps."""
    h = _head(messages)
    head, rest = messages[:h], messages[h:]
    starts = [i for i, m in enumerate(rest) if m["role"] == "user"]
    for s in starts:
        if count_message_tokens(head + rest[s:], TOOLS) + reserve <= window:
            return len(rest) - s
    return 1


def _check_history(
    ns: Namespace, fit_history: Any, messages: list[dict[str, Any]], window: int, reserve: int, why: str = ""
) -> list[dict[str, Any]]:
    got = fit_history(messages, context_window=window, reserve=reserve, tools=TOOLS)
    what = f"{len(messages)} messages, context_window={window}, reserve={reserve}{why}"
    if not isinstance(got, list):
        raise CheckFailed(f"fit_history ({what}) should return a list of messages", got=type(got).__name__)
    size = count_message_tokens(got, TOOLS)
    if size + reserve > window:
        raise CheckFailed(
            f"fit_history ({what}) should leave room for the answer",
            expected=f"prompt <= {window - reserve} tokens",
            got=f"{size} tokens",
            hint="The window holds the prompt AND the completion: keep `reserve` tokens free.",
        )
    h = _head(messages)
    if got[:h] != messages[:h]:
        raise CheckFailed(
            f"fit_history ({what}) should keep the {h} system/developer message(s) the conversation opens with",
            expected=[m["role"] for m in messages[:h]],
            got=[m.get("role") for m in got[:h]],
        )
    if not got or got[-1] != messages[-1]:
        raise CheckFailed(f"fit_history ({what}) should keep the latest user message", got=got[-1:])
    rest = got[h:]
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
    return got


@exercise(
    "2.4",
    points=2,
    rules=[
        "2.4/history-fits-unchanged",
        "2.4/history-room-for-answer",
        "2.4/history-keeps-head-and-latest",
        "2.4/history-drops-oldest",
        "2.4/history-no-orphan-tool",
        "2.4/history-too-long",
    ],
)
def fits_history_with_room_for_the_answer(ns: Namespace) -> None:
    fit_history = ns.function("fit_history")
    messages = _conversation(ns, ns.rng.randint(12, 20))
    full = count_message_tokens(messages, TOOLS)
    for share in (ns.rng.uniform(0.3, 0.5), ns.rng.uniform(0.6, 0.9)):
        reserve = ns.rng.choice([256, 512, 1_024])
        _check_history(ns, fit_history, messages, int(full * share) + reserve, reserve)
    reserve = ns.rng.choice([256, 512, 1_024])
    for window, why in ((full + reserve + 10, ""), (full + reserve, ": prompt + reserve exactly fills the window")):
        got = fit_history(messages, context_window=window, reserve=reserve, tools=TOOLS)
        if got != messages:
            raise CheckFailed(
                f"a conversation that fits should be sent unchanged{why}",
                expected=f"{len(messages)} messages",
                got=f"{len(got)} messages",
            )
    _check_history(ns, fit_history, messages, full + reserve - 1, reserve, ": one token too many")

    chat = _conversation(ns, 8, calls=True)
    chat.insert(1, {"role": "developer", "content": _text(ns, 20)})
    head, rest = chat[:2], chat[2:]
    users = [i for i, m in enumerate(rest) if m["role"] == "user"]
    s = ns.rng.choice(users[1:-1])
    window = count_message_tokens(head + rest[s:], TOOLS) + reserve
    _check_history(ns, fit_history, chat, window, reserve, ": the kept turns exactly fill the window")
    cuts = [i for i, m in enumerate(rest) if m["role"] == "tool" and rest[i - 1]["role"] == "tool"]
    for i in sorted(ns.rng.sample(cuts, 3)):  # windows that cut between two results of the same tool call
        window = count_message_tokens(head + rest[i:], TOOLS) + reserve
        _check_history(ns, fit_history, chat, window, reserve, ": a window that cuts a tool call's results apart")
    window = count_message_tokens([*head, chat[-1]], TOOLS) + reserve
    _check_history(ns, fit_history, chat, window, reserve, ": only the latest message fits")
    try:
        got = fit_history(chat, context_window=window - 1, reserve=reserve, tools=TOOLS)
    except ValueError:
        pass
    else:
        raise CheckFailed(
            "when even the latest message does not fit beside the system messages and the reserve, fit_history "
            "should raise ValueError",
            expected="ValueError",
            got=f"{len(got)} messages, {count_message_tokens(got, TOOLS)} tokens (window {window - 1})",
            hint="A conversation that cannot fit is the caller's problem to solve (guard the input first), not "
            "something to send and see the API answer 400.",
        )


# -- 2.5 the guarded agent ---------------------------------------------------------------------------------------


def _guarded(ns: Namespace, sb: Sandbox, client: httpx.Client | None = None, **kwargs: Any) -> Any:
    guarded_agent = ns.function("GuardedAgent")
    return guarded_agent(
        client or sb.client(), world=sb.world, backoffice=sb.backoffice, catalog=sb.catalog, clock=sb.clock, **kwargs
    )


def _tickets(sb: Sandbox) -> list[Any]:
    return [a for a in sb.backoffice.actions if a.kind == "ticket"]


_KIT_GIVE_UP = "Sorry, that took too many steps. A colleague will follow up."


@exercise(
    "2.5",
    points=1,
    title="A step ceiling and a useful answer",
    rules=["2.5/step-ceiling", "2.5/give-up-ticket", "2.5/ordinary-unchanged"],
)
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
    if len(_tickets(sb)) != 1:
        raise CheckFailed(
            "a stopped loop should open one ticket in the backoffice, so a person follows up",
            expected=1,
            got=len(_tickets(sb)),
            hint="The kit's give_up promises that 'a colleague will follow up' but tells no colleague.",
        )
    if reply.finished or not reply.answer.strip() or reply.answer.strip() == _KIT_GIVE_UP:
        raise CheckFailed(
            "a stopped loop should return an unfinished reply with an answer that says what happens next",
            expected="finished=False and your own answer (not the kit's promise nobody keeps)",
            got=f"finished={reply.finished}, answer={reply.answer!r}",
        )
    order = ns.rng.choice(list(sb.world.orders.values()))
    reply = agent.ask(f"Where is my order {order.id}?")
    if not reply.finished or reply.status != order.status or len(_tickets(sb)) != 1:
        raise CheckFailed(
            "an ordinary question should still be answered normally, with no ticket",
            expected=f"finished=True, status={order.status!r}",
            got=f"finished={reply.finished}, status={reply.status!r}, tickets={len(_tickets(sb))}",
        )
    short = _guarded(ns, sb, max_steps=1)  # one model call cannot look an order up and answer
    short.ask(f"Where is my order {order.id}?")
    tickets = _tickets(sb)
    if len(tickets) != 2 or tickets[-1].order_id != order.id:
        raise CheckFailed(
            f"a question about order {order.id} stopped by the step ceiling should open a ticket for that order",
            expected=f"a second ticket, order_id={order.id!r}",
            got=f"{len(tickets)} tickets, the last for {tickets[-1].order_id if tickets else None!r}",
            hint="The colleague who follows up needs to know which order the customer asked about.",
        )


class _Refusing(httpx.BaseTransport):
    def __init__(self, scope: str) -> None:
        self.scope = scope

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise BudgetExceeded(self.scope, limit=5.0, spent=4.99, estimate=0.02)  # type: ignore[arg-type]


@exercise("2.5", points=1, rules=["2.5/refusal-answered"])
def budget_refusal_becomes_an_answer(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    for scope in ("request", "session", "day"):
        before = len(_tickets(sb))
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
        if reply.finished or not reply.answer.strip() or len(_tickets(sb)) != before + 1:
            raise CheckFailed(
                f"a question refused by the per-{scope} budget should get an unfinished reply, a message for the "
                "customer, and a ticket",
                expected="finished=False, an answer, 1 ticket",
                got=f"finished={reply.finished}, answer={reply.answer!r}, tickets={len(_tickets(sb)) - before}",
            )
        refusal = BudgetExceeded(scope, limit=5.0, spent=4.99, estimate=0.02)
        if refusal.user_message not in reply.answer or "$" in reply.answer:
            raise CheckFailed(
                f"a per-{scope} refusal should reach the customer as its user_message, without prices or internals",
                expected=refusal.user_message,
                got=reply.answer,
                hint="str(refusal) is written for engineers (limits, dollars, what to raise); the customer gets "
                "the refusal's user_message.",
            )


def _paste_question(ns: Namespace, order_id: str, tokens: int) -> str:
    return f"My console:\n{long_paste(tokens)}\nWhere is my order {order_id}?"


@exercise("2.5", points=1, rules=["2.5/input-guarded", "2.5/history-fitted"])
def guards_the_input_and_the_history(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    guard_input = ns.function("guard_input")
    limit = ns.rng.randint(500, 2_000)
    agent = _guarded(ns, sb, max_input_tokens=limit)
    order = ns.rng.choice(list(sb.world.orders.values()))
    question = _paste_question(ns, order.id, ns.rng.randint(6_000, 12_000))
    reply = agent.ask(question)
    _, notice = guard_input(question, max_tokens=limit)
    if not reply.finished or reply.status != order.status:
        raise CheckFailed(
            "a long paste ending in an order question should still get the order's status",
            expected=order.status,
            got=f"finished={reply.finished}, status={reply.status!r}",
            hint="Guard the input before the loop starts, and tell the customer what you cut.",
        )
    user = next(m for m in reply.messages if m.get("role") == "user")
    if count_tokens(str(user.get("content") or "")) > limit:
        raise CheckFailed(
            f"the question the model saw should have been guarded to max_input_tokens={limit}",
            expected=f"<= {limit} tokens",
            got=f"{count_tokens(str(user.get('content') or ''))} tokens",
        )
    if not isinstance(notice, str) or not reply.answer.startswith(notice):
        raise CheckFailed(
            "the customer should read the input notice first, then the answer",
            expected=f"{str(notice)[:60]}...",
            got=reply.answer[:120],
        )

    spec = sb.catalog.resolve(agent.model)
    max_tokens = ns.rng.randint(2_000, 4_000)
    roomy = _guarded(ns, sb, max_tokens=max_tokens)
    history: list[dict[str, Any]] = []
    # a history that fits the window, but not with max_tokens left free for the answer
    while count_message_tokens(history) < spec.context_window - max_tokens // 2 - 600:
        history += [
            {"role": "user", "content": long_paste(800)},
            {"role": "assistant", "content": "I see only heartbeat lines there."},
        ]
    start = len(sb.log)
    try:
        reply = roomy.ask(f"Where is my order {order.id}?", history=history)
    except httpx.HTTPStatusError:
        reply = None
    bad = [e.error_code for e in list(sb.log)[start:] if not e.ok]
    if bad or reply is None or reply.status != order.status:
        raise CheckFailed(
            f"a conversation that fills the window without leaving max_tokens={max_tokens} free should be trimmed, "
            "not answered with a 400",
            expected="no errors",
            got=bad or (reply.status if reply is not None else "an HTTP error"),
            hint="Fit the history to the window in call_model, leaving max_tokens free for the answer.",
        )
