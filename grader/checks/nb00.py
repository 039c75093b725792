"""Checks of notebook 00 (start here): the warm-up exercise."""

from __future__ import annotations

from grader.checks import CheckFailed, Namespace, exercise

__all__ = ["RULES", "ask_status_matches_the_shop"]

RULES = {
    "0.1/asks-the-agent": "ask_status asks the agent (agent.ask) about the order, never the shop's database",
    "0.1/returns-status": "it returns the reply's status field, not the whole answer sentence",
    "0.1/lower-case-str": 'the status is a lower-case str (for example "shipped")',
}


def _try_orders(ns: Namespace, n: int) -> None:
    from weekfour import sandbox, scenarios

    ask_status = ns.function("ask_status")
    sb = sandbox(scenarios.happy(), seed=ns.rng.randrange(10_000))
    order_ids = ns.rng.sample(sorted(sb.world.orders), n)
    for order_id in order_ids:
        before = len(sb.log)
        got = ask_status(sb.agent(), order_id)
        truth = sb.world.orders[order_id].status
        if len(sb.log) == before:
            raise CheckFailed(
                f"ask_status(agent, {order_id!r}) answered without asking the agent.",
                hint="The exercise is about the agent: call agent.ask(...) with a question about the order.",
            )
        if not isinstance(got, str):
            raise CheckFailed(
                f"ask_status(agent, {order_id!r}) should return a string.", expected="a str", got=type(got).__name__
            )
        if got != truth:
            raise CheckFailed(
                f"ask_status(agent, {order_id!r}) returned the wrong status.",
                expected=truth,
                got=got,
                hint="Return the reply's status field, lower-case — not the whole answer sentence.",
            )


@exercise(
    "0.1",
    points=1,
    title="Ask the agent",
    rules=["0.1/asks-the-agent", "0.1/returns-status", "0.1/lower-case-str"],
)
def ask_status_matches_the_shop(ns: Namespace) -> None:
    _try_orders(ns, 3)
