"""Hidden checks of notebook 02: run only when grading, never by ``check()``, and never shipped to learners
(``python -m grader template`` leaves ``instructor/`` out).

They add unseen inputs (other seeds, other scenarios) to the public checks of ``grader/checks/nb02.py``, whose ``RULES``
they name and whose helpers they import; they never hold a rule the public checks skip.
"""

from __future__ import annotations

from typing import Any

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks._helpers import expected_worst_case, same_amount
from grader.checks.nb02 import (
    _budget,
    _check_history,
    _conversation,
    _guarded,
    _paste_question,
    _text,
)
from weekfour.labs.runaway_spend import BudgetExceeded
from weekfour.sandbox import sandbox
from weekfour.tokens import count_message_tokens
from weekfour.traffic import long_paste
from weekfour.types import FaultWindow
from weekfour.world import TOOLS

__all__ = ["answers_the_paste_and_the_long_chat", "charges_what_the_provider_billed", "never_orphans_tool_results"]


@exercise("2.2", points=1, hidden=True, rules=["2.2/errors-cost-nothing", "2.2/day-rollover"])
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
    if not same_amount(budget.day_spent, sb.log.total_cost()):
        raise CheckFailed(
            f"after SDK calls with {errors} retried error(s), the budget's day_spent should equal the provider's bill",
            expected=round(sb.log.total_cost(), 8),
            got=budget.day_spent,
            hint="Error responses cost nothing; a 200 costs what its usage says. The SDK's retries pass through "
            "your transport too.",
        )
    sb.clock.advance_to(sb.clock.next_at(hour=0) + 60.0)
    body = {"model": "wf-chat", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 50}
    budget.per_day = budget.day_spent + expected_worst_case(body, sb.catalog) * 0.5
    try:
        sb.client(transport=budget).post("/chat/completions", json=body)
    except BudgetExceeded:
        raise CheckFailed(
            "after midnight (simulated) a small request was refused: yesterday's spend still counts against today",
            expected="allowed",
            got="BudgetExceeded",
            hint="Compare the clock's date (clock.datetime().date()) with the day you are counting.",
        ) from None
    if not same_amount(budget.day_spent, sb.log[-1].cost_usd):
        raise CheckFailed(
            "at midnight (simulated) the day's spend should start again from zero",
            expected=sb.log[-1].cost_usd,
            got=budget.day_spent,
            hint="Compare the clock's date (clock.datetime().date()) with the day you are counting.",
        )


@exercise("2.4", points=1, hidden=True, rules=["2.4/history-no-orphan-tool"])
def never_orphans_tool_results(ns: Namespace) -> None:
    fit_history = ns.function("fit_history")
    messages = _conversation(ns, 10)
    groups = [i for i, m in enumerate(messages) if m["role"] == "tool" and messages[i - 1]["role"] == "tool"]
    reserve = 300
    for i in groups[:4]:  # a window that cuts between two results of the same tool call
        window = count_message_tokens(messages[:1] + messages[i:], TOOLS) + reserve
        _check_history(ns, fit_history, messages, window, reserve)


@exercise("2.5", points=1, hidden=True, rules=["2.5/input-guarded", "2.5/history-fitted"])
def answers_the_paste_and_the_long_chat(ns: Namespace) -> None:
    sb = sandbox(seed=ns.rng.randrange(1000))
    agent = _guarded(ns, sb)
    order = ns.rng.choice(list(sb.world.orders.values()))
    reply = agent.ask(_paste_question(ns, order.id, 40_000))
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
