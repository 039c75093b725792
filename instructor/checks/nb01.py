"""Hidden checks of notebook 01: run only when grading, never by ``check()``, and never shipped to learners
(``python -m grader template`` leaves ``instructor/`` out).

They add unseen inputs (other seeds, other scenarios) to the public checks of ``grader/checks/nb01.py``, whose ``RULES``
they name and whose helpers they import; they never hold a rule the public checks skip.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks._helpers import must_not_raise
from grader.checks.nb01 import (
    FinalFn,
    _answer_class,
    _ask,
    _claims_passed,
    _confidence,
    _conversation,
    _docs_seen,
    _expect_answer,
    _expect_failure,
    _expect_problem,
    _guarded_setup,
    _json_turn,
    _truthful,
    _validates,
)

__all__ = [
    "grounding_uses_what_the_tools_returned",
    "guarded_agent_never_loops_and_never_raises",
    "model_replies_fit_the_schema",
    "parse_answer_reads_real_replies",
    "threshold_separates_invented_answers",
]


@exercise("1.1", points=1, hidden=True, rules=["1.1/no-null"])
def model_replies_fit_the_schema(ns: Namespace) -> None:
    from weekfour import sandbox, scenarios
    from weekfour.labs.hallucination import LoggedAgent

    cls = _answer_class(ns)
    fmt = ns.get("ANSWER_FORMAT")
    sb = sandbox(scenarios.happy(), seed=ns.rng.randrange(10_000))
    agent = LoggedAgent(
        sb.client(), world=sb.world, backoffice=sb.backoffice, clock=sb.clock, extra_body={"response_format": fmt}
    )
    mix = {"status": 1, "refund": 1, "policy": 1, "missing_order": 1, "empty": 1}
    for q in sb.questions(8, seed=ns.rng.randrange(10_000), mix=mix):
        agent.ask(q.text)
        content = agent.responses[-1]["choices"][0]["message"]["content"]
        ok, why = _validates(cls, json.loads(content))
        if not ok:
            raise CheckFailed(
                "Under your ANSWER_FORMAT the model wrote an answer that your own Answer rejects.",
                expected="the model's JSON validates",
                got=f"{content[:200]} -> {why}",
                hint="A field that can be empty needs a value that means 'none' ('' for text, 0 for amounts, "
                "'unknown' for the status) rather than null.",
            )


@exercise("1.2", points=1, hidden=True, rules=["1.2/valid-answer", "1.2/truncated"])
def parse_answer_reads_real_replies(ns: Namespace) -> None:
    # The model's own replies under the learner's schema, from a shop the check picks: whole ones and cut ones.
    from weekfour import sandbox, scenarios
    from weekfour.labs.hallucination import LoggedAgent

    fmt = ns.get("ANSWER_FORMAT")
    sb = sandbox(scenarios.happy(), seed=ns.rng.randrange(10_000))
    whole = LoggedAgent(
        sb.client(), world=sb.world, backoffice=sb.backoffice, clock=sb.clock, extra_body={"response_format": fmt}
    )
    cut = LoggedAgent(
        sb.client(),
        world=sb.world,
        backoffice=sb.backoffice,
        clock=sb.clock,
        max_tokens=ns.rng.randrange(20, 40),
        extra_body={"response_format": fmt},
    )
    for q in sb.questions(4, seed=ns.rng.randrange(10_000), mix={"status": 2, "refund": 1, "policy": 1}):
        whole.ask(q.text)
        response = whole.responses[-1]
        content = response["choices"][0]["message"]["content"]
        _expect_answer(ns, response, json.loads(content), f"the model's reply {content[:80]!r}...")
        cut.ask(q.text)
        response = cut.responses[-1]
        if response["choices"][0]["finish_reason"] == "length":
            _expect_failure(
                ns,
                response,
                "truncated",
                "a reply of the model cut at max_tokens",
                "finish_reason 'length' means the model had more to say; never act on a cut answer.",
            )


@exercise("1.3", points=1, hidden=True, rules=["1.3/citation-returned", "1.3/status-matches"])
def grounding_uses_what_the_tools_returned(ns: Namespace) -> None:
    rng = ns.rng
    sb, q, messages = _conversation(ns, "policy")
    seen = _docs_seen(messages)
    unseen = sorted(set(sb.world.documents) - seen)
    if unseen:
        real = rng.choice(unseen)
        _expect_problem(
            ns,
            {
                "answer": "See the policy.",
                "status": "unknown",
                "order_id": "",
                "citations": [real],
                "action": "none",
                "refund_amount": 0.0,
                "confidence": 0.97,
            },
            messages,
            f"a citation of {real!r}: it exists in the shop, but the tools never returned it in this conversation",
            real,
            "Grounded means: in the tool results this conversation saw, not anywhere in the world.",
        )
    # Two orders looked up: the status must agree with the one the answer is about.
    sb2, q2, first = _conversation(ns, "status")
    o1 = sb2.world.orders[q2.order_id]
    others = [o for o in sb2.world.orders.values() if o.status != o1.status]
    o2 = rng.choice(others)
    call = {"id": "call_second", "type": "function", "function": {"name": "get_order", "arguments": "{}"}}
    extra: list[dict[str, Any]] = [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_second", "content": json.dumps(sb2.world.get_order(o2.id))},
    ]
    claim = {
        "answer": f"Order {o1.id} is {o2.status}.",
        "status": o2.status,
        "order_id": o1.id,
        "citations": [],
        "action": "none",
        "refund_amount": 0.0,
        "confidence": 0.97,
    }
    _expect_problem(
        ns,
        claim,
        first[:-1] + extra,
        f"order {o1.id} said to be {o2.status!r}, the status of another order ({o2.id})",
        (o2.status, o1.id),
        "Match the answer's order_id to the get_order result for that order, not to any result.",
    )


_SURE = 0.9  # a correct answer whose least likely token is at least this probable is one the model was sure of


@exercise("1.4", points=1, hidden=True, rules=["1.4/threshold-separates"])
def threshold_separates_invented_answers(ns: Namespace) -> None:
    from weekfour import scenarios
    from weekfour.labs.hallucination import LoggedAgent, run_production

    threshold = float(ns.get("CONFIDENCE_THRESHOLD"))
    run = run_production(
        lambda sb: LoggedAgent(
            sb.client(), world=sb.world, backoffice=sb.backoffice, clock=sb.clock, extra_body={"logprobs": True}
        ),
        scenario=scenarios.hallucination(rate=ns.rng.uniform(0.3, 0.5), injection=0.0),
        n=40,
        seed=ns.rng.randrange(10_000),
        mix={"status": 3, "refund": 2, "policy": 1},
    )
    wrong = run.per_question["wrong_downstream"].to_numpy() > 0
    scores = [_confidence(ns, r) if r is not None else 0.0 for r in run.final_responses]
    passed_wrong = sum(1 for s, w in zip(scores, wrong, strict=True) if w and s >= threshold)
    # Some correct answers carry an unsure token that happened not to matter: escalating those is the price of the
    # guard, whatever the threshold. What a threshold must not do is send answers the model was sure of to a person.
    sure_right = [s for s, w in zip(scores, wrong, strict=True) if not w and s >= _SURE]
    escalated_sure = sum(1 for s in sure_right if s < threshold)
    if passed_wrong:
        raise CheckFailed(
            f"With CONFIDENCE_THRESHOLD = {threshold}, {passed_wrong} invented answers still passed.",
            hint="Look at the confidences of the wrong answers in the notebook's slider and move the threshold.",
        )
    if escalated_sure:
        raise CheckFailed(
            f"With CONFIDENCE_THRESHOLD = {threshold}, {escalated_sure} of {len(sure_right)} correct answers that the "
            f"model was sure of (every token at {_SURE:.0%} or more) go to a person.",
            hint="A threshold that escalates confident, correct answers makes the agent useless: lower it.",
        )


@exercise("1.5", points=1, hidden=True, rules=["1.5/reask-once", "1.5/low-confidence"])
def guarded_agent_never_loops_and_never_raises(ns: Namespace) -> None:
    from weekfour.types import ModelTurn, Span

    rng = ns.rng
    holder: dict[str, Any] = {}

    def fake_citation(req: Any, turn: Any) -> Any:
        return _json_turn({**_truthful(holder["order"]), "citations": [f"policy/made-up-{rng.randrange(10**6)}"]})

    cases: list[tuple[str, list[FinalFn], int]] = [
        ("an answer that keeps failing grounding", [fake_citation] * 10, 2),
        ("a refusal", [lambda req, turn: ModelTurn(refusal="I can't help with that.")] * 10, 2),
        (
            "an answer cut off at the token limit",
            [lambda req, turn: ModelTurn(spans=[Span('{"answer": "' + "very " * 900, -0.01)])] * 10,
            2,
        ),
        (
            "a grounded answer whose status the model was unsure of (low logprobs)",
            [lambda req, turn: _json_turn(_truthful(holder["order"]), weak="status")] * 10,
            2,
        ),
    ]
    for what, finals, most in cases:
        sb, agent, model, order = _guarded_setup(ns, finals)
        holder["order"] = order
        reply = must_not_raise(
            functools.partial(_ask, agent, model, f"Where is my order {order.id}?"),
            f"GuardedAgent.ask raised on {what}.",
            hint="Failures are data: they lead to a re-ask or the safe path, never to an exception.",
            lets_through=(CheckFailed,),
        )
        if len(model.requests) > most:
            raise CheckFailed(
                f"On {what}, the agent asked for an answer {len(model.requests)} times.",
                expected=f"at most {most}",
                hint="One re-ask, then the safe path.",
            )
        passed = _claims_passed(sb)
        tickets = [a for a in sb.backoffice.actions if a.kind == "ticket"]
        if passed or not tickets:
            raise CheckFailed(
                f"On {what}, the agent should take the safe path: no claim downstream, a ticket for a person.",
                expected="no status or refund passed on, one ticket",
                got={"passed on": [(a.kind, a.details.get("status")) for a in passed], "tickets": len(tickets)},
                hint="When the answer cannot be trusted, say you don't know and hand it to a person (self.safe_path).",
            )
        if reply is None:
            raise CheckFailed(f"On {what}, GuardedAgent.ask returned None; return the Reply of the safe path.")
