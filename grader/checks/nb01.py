"""Checks of notebook 01 (hallucination with no guard): schema, safe parsing, grounding, confidence, the guarded agent.

Every check picks its scenario with ``ns.rng`` (orders, amounts, fake document ids, token positions), so an answer
hard-coded to one run fails the next.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader.checks import CheckFailed, Namespace, NotAttempted, exercise

__all__ = [
    "answer_accepts_good_and_rejects_bad",
    "answer_format_is_strict",
    "confidence_is_the_weakest_token",
    "grounding_catches_contradictions",
    "grounding_uses_what_the_tools_returned",
    "guarded_agent_keeps_wrong_answers_out",
    "guarded_agent_never_loops_and_never_raises",
    "guarded_agent_reasks_once_with_the_error",
    "model_replies_fit_the_schema",
    "parse_answer_distrusts_length",
    "parse_answer_types_every_failure",
    "threshold_separates_invented_answers",
]

STATUSES = ("processing", "shipped", "delivered", "cancelled", "refunded")
FIELDS = ("answer", "status", "order_id", "citations", "action", "refund_amount", "confidence")


# --- building blocks ----------------------------------------------------------------------------------------------


def _answer_class(ns: Namespace) -> Any:
    if "Answer" not in ns:
        raise NotAttempted(
            "Exercise 1.1 is not attempted yet: `Answer` is not defined. Write the class in the solution cell, run "
            "it, then run this check again."
        )
    cls = ns.get("Answer")
    from pydantic import BaseModel

    if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
        raise CheckFailed(
            "`Answer` should be a pydantic model.",
            expected="class Answer(BaseModel)",
            got=type(cls).__name__,
            hint="Subclass pydantic.BaseModel so the class can validate and export a JSON schema.",
        )
    return cls


def _order_answer(rng: Any, **overrides: Any) -> dict[str, Any]:
    oid = f"A{rng.randrange(1000, 1200)}"
    status = rng.choice(STATUSES)
    data = {
        "answer": f"Order {oid} is {status}.",
        "status": status,
        "order_id": oid,
        "citations": [],
        "action": "none",
        "refund_amount": 0.0,
        "confidence": round(rng.uniform(0.5, 1.0), 2),
    }
    data.update(overrides)
    return data


def _refund_answer(rng: Any) -> dict[str, Any]:
    amount = round(rng.uniform(10, 400), 2)
    return _order_answer(
        rng,
        status="delivered",
        action="refund",
        refund_amount=amount,
        citations=["policy/returns"],
        answer=f"Refund of ${amount:.2f} approved.",
    )


def _policy_answer(rng: Any) -> dict[str, Any]:
    doc = rng.choice(["policy/returns", "policy/shipping", "policy/warranty"])
    return {
        "answer": "Items can be returned within 30 days of delivery.",
        "status": "unknown",
        "order_id": "",
        "citations": [doc],
        "action": "none",
        "refund_amount": 0.0,
        "confidence": 0.97,
    }


def _validates(cls: Any, data: dict[str, Any]) -> tuple[bool, str]:
    from pydantic import ValidationError

    try:
        cls.model_validate(data)
    except ValidationError as exc:
        return False, str(exc).splitlines()[0]
    return True, ""


# --- 1.1 the schema -------------------------------------------------------------------------------------------


@exercise("1.1", points=2, title="A schema for the answer")
def answer_accepts_good_and_rejects_bad(ns: Namespace) -> None:
    cls = _answer_class(ns)
    rng = ns.rng
    for good in (_order_answer(rng), _refund_answer(rng), _policy_answer(rng)):
        ok, why = _validates(cls, good)
        if not ok:
            raise CheckFailed(
                "Answer rejected a correct answer.",
                expected="it validates",
                got=f"{good} -> {why}",
                hint="Every field of the contract, with exactly the types and allowed values it lists.",
            )
    base = _order_answer(rng)
    oid = base["order_id"]
    dropped = rng.choice(["status", "citations", "action", "refund_amount"])
    bad_cases: list[tuple[str, dict[str, Any], str]] = [
        (
            "an extra field the backoffice never asked for",
            {**base, rng.choice(["approved_by", "override", "admin"]): True},
            "Unknown keys are how a prompt injection smuggles instructions downstream: forbid extra fields.",
        ),
        (
            "a missing field",
            {k: v for k, v in base.items() if k != dropped},
            "Every field is required; a missing one must not get a silent default.",
        ),
        (
            "a status that is not one of the allowed values",
            {**base, "status": rng.choice(["lost", "on its way", "Shipped"])},
            "status is one of a fixed list of values.",
        ),
        (
            "a refund with no amount",
            {**base, "action": "refund", "refund_amount": 0.0},
            "A refund is only complete with an amount above 0: check the fields against each other.",
        ),
        (
            "a refund with no order id",
            {**base, "action": "refund", "order_id": "", "refund_amount": round(rng.uniform(5, 90), 2)},
            "A refund needs to know which order it is for.",
        ),
        (
            "an amount on an answer that is not a refund",
            {**base, "action": "none", "refund_amount": round(rng.uniform(5, 90), 2)},
            "refund_amount must be 0 unless action is 'refund'.",
        ),
        (
            "a negative refund",
            {**base, "action": "refund", "refund_amount": -round(rng.uniform(5, 90), 2)},
            "Money amounts have a sign that makes sense.",
        ),
        (
            "a confidence outside 0..1",
            {**base, "confidence": rng.choice([1.3, -0.2, 97.0])},
            "Probabilities live between 0 and 1.",
        ),
        (
            "an order id that is not an order id",
            {**base, "order_id": rng.choice([f"order {oid}", oid.lower(), f"#{oid}", "A12"])},
            "Order ids look like A1042 (or the empty string when there is no order).",
        ),
    ]
    for what, data, hint in bad_cases:
        ok, _ = _validates(cls, data)
        if ok:
            raise CheckFailed(f"Answer accepted {what}.", expected="a ValidationError", got=data, hint=hint)


def _walk_objects(schema: Any) -> list[dict[str, Any]]:
    """Every object schema inside ``schema`` (properties, items, anyOf, $defs...)."""
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            found.append(schema)
        for value in schema.values():
            found.extend(_walk_objects(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_walk_objects(value))
    return found


@exercise("1.1", points=1)
def answer_format_is_strict(ns: Namespace) -> None:
    cls = _answer_class(ns)
    fmt = ns.get("ANSWER_FORMAT")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        raise CheckFailed(
            "ANSWER_FORMAT should be a response_format dict of type json_schema.",
            expected={"type": "json_schema", "json_schema": "{...}"},
            got=fmt,
            hint="json_object only promises JSON; json_schema with strict makes the model follow your schema.",
        )
    spec = fmt.get("json_schema")
    if not isinstance(spec, dict) or not spec.get("name") or spec.get("strict") is not True:
        raise CheckFailed(
            "ANSWER_FORMAT['json_schema'] needs a name and strict: True.",
            got=spec if not isinstance(spec, dict) else {k: v for k, v in spec.items() if k != "schema"},
            hint="Without strict the schema is a suggestion; with it the API constrains the output to the schema.",
        )
    schema = spec.get("schema")
    if not isinstance(schema, dict) or set(schema.get("properties") or {}) != set(cls.model_fields):
        raise CheckFailed(
            "ANSWER_FORMAT's schema should be your Answer's JSON schema.",
            expected=sorted(cls.model_fields),
            got=sorted((schema or {}).get("properties") or {}) if isinstance(schema, dict) else schema,
            hint="Generate it from the model so the two can never drift apart.",
        )
    for obj in _walk_objects(schema):
        props = set(obj.get("properties") or {})
        if obj.get("additionalProperties") is not False:
            raise CheckFailed(
                "Strict structured outputs need additionalProperties: false on every object of the schema.",
                got={k: v for k, v in obj.items() if k != "properties"},
                hint="pydantic writes it for you when the model forbids extra fields.",
            )
        missing = sorted(props - set(obj.get("required") or ()))
        if missing:
            raise CheckFailed(
                "Strict structured outputs need every property in 'required'.",
                expected="required lists every property",
                got=f"not required: {missing}",
                hint="A field with a default is optional in the JSON schema. Give every field no default.",
            )


@exercise("1.1", points=1, hidden=True)
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


# --- 1.2 safe parsing -----------------------------------------------------------------------------------------


def _wire(content: str | None, **kwargs: Any) -> dict[str, Any]:
    from weekfour.labs.hallucination import wire_response

    return wire_response(content, **kwargs)


def _call_parse(ns: Namespace, response: dict[str, Any]) -> Any:
    parse_answer = ns.function("parse_answer")
    return parse_answer(response)


def _expect_failure(ns: Namespace, response: dict[str, Any], kind: str, what: str, hint: str) -> Any:
    from weekfour.labs.hallucination import ParseFailure

    got = _call_parse(ns, response)
    if not isinstance(got, ParseFailure) or got.kind != kind:
        raise CheckFailed(
            f"parse_answer on {what} should return a ParseFailure of kind {kind!r}.",
            expected=f"ParseFailure(kind={kind!r}, ...)",
            got=got,
            hint=hint,
        )
    return got


@exercise("1.2", points=3, title="Safe parsing")
def parse_answer_types_every_failure(ns: Namespace) -> None:
    rng = ns.rng
    good = _order_answer(rng)
    got = _call_parse(ns, _wire(json.dumps(good)))
    cls = _answer_class(ns)
    if not isinstance(got, cls) or getattr(got, "status", None) != good["status"]:
        raise CheckFailed(
            "parse_answer should return an Answer for a valid response.",
            expected=f"Answer(status={good['status']!r}, ...)",
            got=got,
            hint="Read choices[0].message.content and validate it with your Answer model.",
        )
    text = json.dumps(_order_answer(rng))
    cut = text[: rng.randrange(10, len(text) - 5)]
    _expect_failure(
        ns,
        _wire(cut, finish_reason="length"),
        "truncated",
        "an answer cut off at the token limit (finish_reason 'length')",
        "Look at choices[0].finish_reason before you look at the content.",
    )
    _expect_failure(
        ns,
        _wire(None, refusal=rng.choice(["I can't help with that.", "I'm sorry, I cannot assist with refunds."])),
        "refusal",
        "a refusal (message.refusal set, content null)",
        "A refusal arrives in message.refusal, not in content.",
    )
    prose = rng.choice(["Sure! Here is your answer: ", "```json\n", "Order status: "]) + text[: rng.randrange(5, 40)]
    _expect_failure(
        ns,
        _wire(prose),
        "malformed_json",
        f"content that is not JSON ({prose[:30]!r}...)",
        "What does json.loads raise on prose? Catch it and return a failure instead.",
    )
    _expect_failure(ns, _wire(""), "malformed_json", "an empty content", "An empty string is not an answer either.")
    dropped = rng.choice(["status", "citations", "action", "refund_amount"])
    partial = {k: v for k, v in good.items() if k != dropped}
    failure = _expect_failure(
        ns,
        _wire(json.dumps(partial)),
        "invalid",
        f"JSON that lacks the field {dropped!r}",
        "Valid JSON can still break the schema: validate it, and turn the validation error into a failure.",
    )
    if dropped not in failure.detail:
        raise CheckFailed(
            "The ParseFailure's detail should say what was wrong, naming the field: the agent re-asks with it.",
            expected=f"a detail mentioning {dropped!r}",
            got=failure.detail,
            hint="The text of pydantic's ValidationError names every failing field.",
        )
    _expect_failure(
        ns,
        _wire(json.dumps([good])),
        "invalid",
        "JSON that is a list instead of an object",
        "JSON that parses is not yet an answer.",
    )


@exercise("1.2", points=1, hidden=True)
def parse_answer_distrusts_length(ns: Namespace) -> None:
    # An answer that happens to be complete JSON but still ended at the token ceiling: the API says it was cut.
    good = _order_answer(ns.rng)
    _expect_failure(
        ns,
        _wire(json.dumps(good), finish_reason="length"),
        "truncated",
        "a response with finish_reason 'length' whose content happens to parse",
        "finish_reason 'length' means the model had more to say; never act on a cut answer.",
    )


# --- 1.3 grounding --------------------------------------------------------------------------------------------


@dataclass
class _Claim:
    """Stands in for an Answer when exercise 1.1 is not done: the same fields, as attributes."""

    answer: str
    status: str
    order_id: str
    citations: list[str] = field(default_factory=list)
    action: str = "none"
    refund_amount: float = 0.0
    confidence: float = 0.97


def _claim(ns: Namespace, data: dict[str, Any]) -> Any:
    cls = ns.globals.get("Answer")
    try:
        from pydantic import BaseModel

        if isinstance(cls, type) and issubclass(cls, BaseModel) and set(FIELDS) <= set(cls.model_fields):
            return cls.model_construct(**data)
    except Exception:  # a half-written Answer: fall back to plain attributes
        pass
    return _Claim(**data)


def _conversation(ns: Namespace, kind: str) -> tuple[Any, Any, list[dict[str, Any]]]:
    """A real conversation with the tools for one question of ``kind``: (sandbox, question, messages)."""
    from weekfour import sandbox, scenarios

    sb = sandbox(scenarios.happy(), seed=ns.rng.randrange(10_000))
    q = sb.questions(1, seed=ns.rng.randrange(10_000), mix={kind: 1})[0]
    reply = sb.agent().ask(q.text)
    return sb, q, reply.messages


def _docs_seen(messages: list[dict[str, Any]]) -> set[str]:
    return {
        str(d["id"])
        for m in messages
        if m.get("role") == "tool"
        for d in (json.loads(m["content"]).get("results") or [])
        if isinstance(d, dict) and "id" in d
    }


def _grounding(ns: Namespace, data: dict[str, Any], messages: list[dict[str, Any]]) -> list[str]:
    grounding_problems = ns.function("grounding_problems")
    got = grounding_problems(_claim(ns, data), messages)
    if not isinstance(got, list) or not all(isinstance(p, str) for p in got):
        raise CheckFailed(
            "grounding_problems should return a list of strings (empty when the answer is grounded).",
            got=got,
            hint="One sentence per problem; the agent sends them back to the model when it re-asks.",
        )
    return got


def _expect_grounded(ns: Namespace, data: dict[str, Any], messages: list[dict[str, Any]], what: str) -> None:
    got = _grounding(ns, data, messages)
    if got:
        raise CheckFailed(
            f"grounding_problems flagged a correct answer ({what}).",
            expected=[],
            got=got,
            hint="Compare with what the tools returned in this conversation, field by field.",
        )


def _expect_problem(
    ns: Namespace,
    data: dict[str, Any],
    messages: list[dict[str, Any]],
    what: str,
    names: str | tuple[str, ...],
    hint: str,
) -> None:
    got = _grounding(ns, data, messages)
    if not got:
        raise CheckFailed(f"grounding_problems let through {what}.", expected="at least one problem", got=[], hint=hint)
    alternatives = (names,) if isinstance(names, str) else names
    if not any(name in p for p in got for name in alternatives):
        raise CheckFailed(
            f"grounding_problems found a problem with {what}, but no problem names the offending value.",
            expected=f"a problem mentioning {alternatives[0]!r}",
            got=got,
            hint="Name the value in the message: the model reads it when it is re-asked.",
        )


@exercise("1.3", points=3, title="Grounding")
def grounding_catches_contradictions(ns: Namespace) -> None:
    rng = ns.rng
    sb, q, messages = _conversation(ns, "status")
    order = sb.world.orders[q.order_id]
    base = {
        "answer": f"Order {order.id} is {order.status}.",
        "status": order.status,
        "order_id": order.id,
        "citations": [],
        "action": "none",
        "refund_amount": 0.0,
        "confidence": 0.97,
    }
    _expect_grounded(ns, base, messages, "the status get_order returned")
    wrong = rng.choice([s for s in STATUSES if s != order.status])
    _expect_problem(
        ns,
        {**base, "status": wrong, "answer": f"Order {order.id} is {wrong}."},
        messages,
        f"status {wrong!r} while get_order said {order.status!r}",
        wrong,
        "The status the answer states must be the status the order tool returned.",
    )
    unseen = f"A{rng.randrange(5000, 9999)}"
    _expect_problem(
        ns,
        {**base, "order_id": unseen},
        messages,
        f"a status for order {unseen}, which was never looked up",
        unseen,
        "A status for an order the tools never returned is made up.",
    )
    no_tools = messages[:2]  # the system prompt and the question: the model answered without looking anything up
    _expect_problem(
        ns,
        base,
        no_tools,
        "a status in a conversation where no tool was called",
        (order.id, order.status),
        "No tool result, no fact.",
    )
    fake = rng.choice(["policy/price-match", "policy/vip-refunds", "policy/returns-extended"]) + f"-{rng.randrange(99)}"
    _, _, policy_messages = _conversation(ns, "policy")
    doc = rng.choice(sorted(_docs_seen(policy_messages)))
    policy = {**base, "status": "unknown", "order_id": "", "answer": "See the policy.", "citations": [doc]}
    _expect_grounded(ns, policy, policy_messages, f"a citation of {doc}, which search_policies returned")
    _expect_problem(
        ns,
        {**policy, "citations": [doc, fake]},
        policy_messages,
        f"a citation of {fake!r}, a document nobody returned",
        fake,
        "Every cited source must be one of the documents the search tool returned in this conversation.",
    )
    sb3, q3, refund_messages = _conversation(ns, "refund")
    o3 = sb3.world.orders[q3.order_id]
    refund = {
        **base,
        "status": o3.status,
        "order_id": o3.id,
        "answer": "Refund approved.",
        "action": "refund",
        "refund_amount": o3.total,
        "citations": [],
    }
    _expect_grounded(ns, refund, refund_messages, f"a refund of the order total {o3.total:.2f}")
    more = round(o3.total * rng.uniform(1.2, 2.0), 2)
    _expect_problem(
        ns,
        {**refund, "refund_amount": more},
        refund_messages,
        f"a refund of {more:.2f} on an order whose total is {o3.total:.2f}",
        (f"{more:.2f}", f"{more}", f"{more:g}", f"{o3.total:.2f}", f"{o3.total}"),
        "A refund can never be more than the total the order tool returned.",
    )


@exercise("1.3", points=1, hidden=True)
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
    extra = [
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


# --- 1.4 confidence from logprobs -----------------------------------------------------------------------------


def _confidence(ns: Namespace, response: dict[str, Any]) -> float:
    answer_confidence = ns.function("answer_confidence")
    got = answer_confidence(response)
    if isinstance(got, bool) or not isinstance(got, int | float):
        raise CheckFailed("answer_confidence should return a number between 0 and 1.", got=got)
    return float(got)


@exercise("1.4", points=2, title="Confidence from logprobs")
def confidence_is_the_weakest_token(ns: Namespace) -> None:
    from weekfour.tokens import split_tokens

    rng = ns.rng
    data = _order_answer(rng, confidence=rng.choice([0.95, 0.97, 0.99]))
    content = json.dumps(data)
    n = len(split_tokens(content))
    lps = [round(rng.uniform(-0.05, -0.001), 4) for _ in range(n)]
    weak_at = rng.randrange(n)
    lps[weak_at] = round(rng.uniform(-2.5, -1.2), 4)
    want = math.exp(min(lps))
    got = _confidence(ns, _wire(content, logprobs=lps))
    if abs(got - want) > 1e-6:
        hint = "One invented word among many sure ones is exactly what a hallucination looks like."
        if abs(got - data["confidence"]) < 1e-9:
            hint = "That is the number the model wrote about itself. Read the token logprobs instead."
        raise CheckFailed(
            "answer_confidence should be the probability of the least likely token of the answer.",
            expected=round(want, 6),
            got=got,
            hint=hint,
        )
    long_content = json.dumps({**data, "answer": " ".join(["Your order is on its way."] * rng.randrange(20, 40))})
    m = len(split_tokens(long_content))
    sure = [round(rng.uniform(-0.03, -0.001), 4) for _ in range(m)]
    got = _confidence(ns, _wire(long_content, logprobs=sure))
    if abs(got - math.exp(min(sure))) > 1e-6:
        raise CheckFailed(
            f"A long answer ({m} tokens) where every token is likely should be confident.",
            expected=round(math.exp(min(sure)), 6),
            got=got,
            hint="Multiplying every token's probability punishes length, not doubt.",
        )
    got = _confidence(ns, _wire(content, logprobs=None))
    if got != 0.0:
        raise CheckFailed(
            "A response without logprobs gives no evidence of confidence: answer_confidence should return 0.0.",
            expected=0.0,
            got=got,
            hint="Missing evidence must send the answer to the safe path, not wave it through.",
        )
    threshold = ns.get("CONFIDENCE_THRESHOLD")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 < threshold < 1.0:
        raise CheckFailed("CONFIDENCE_THRESHOLD should be a probability strictly between 0 and 1.", got=threshold)


_SURE = 0.9  # a correct answer whose least likely token is at least this probable is one the model was sure of


@exercise("1.4", points=1, hidden=True)
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


# --- 1.5 the guarded agent ------------------------------------------------------------------------------------


class _Runaway(Exception):
    """Raised by the check's model when an agent keeps asking for answers: the loop has no bound."""


FinalFn = Callable[[Any, Any], Any]  # (request, inner final turn) -> ModelTurn


class _Finals:
    """Wraps the shop's model: tool calls pass through; final answers come from ``finals`` while any are left."""

    def __init__(self, inner: Any, finals: list[FinalFn], *, limit: int = 6) -> None:
        self.inner = inner
        self.finals = list(finals)
        self.limit = limit
        self.requests: list[Any] = []  # every request answered with a final answer

    def respond(self, request: Any, ctx: Any) -> Any:
        turn = self.inner.respond(request, ctx)
        if turn.tool_calls:
            return turn
        self.requests.append(request)
        if len(self.requests) > self.limit:
            raise _Runaway(f"the agent asked for {len(self.requests)} answers to one question")
        if self.finals:
            return self.finals.pop(0)(request, turn)
        return turn


def _json_turn(data: dict[str, Any], *, logprob: float = -0.01, weak: str | None = None) -> Any:
    """A final answer as JSON; the value of field ``weak`` (if any) gets a low logprob."""
    from weekfour.types import ModelTurn, Span

    spans = []
    for i, (key, value) in enumerate(data.items()):
        spans.append(Span(("{" if i == 0 else ", ") + json.dumps(key) + ": ", logprob))
        spans.append(Span(json.dumps(value), -1.9 if key == weak else logprob))
    spans.append(Span("}", logprob))
    return ModelTurn(spans=spans)


def _guarded_setup(ns: Namespace, finals: list[FinalFn]) -> tuple[Any, Any, Any, _Finals]:
    from weekfour import sandbox, scenarios

    cls = ns.function("GuardedAgent")
    sb = sandbox(scenarios.happy(), seed=ns.rng.randrange(10_000))
    model = _Finals(sb.model, finals)
    sb.provider.model = model
    client = sb.client(timeout=60.0)  # a 512-token answer takes about 6 simulated seconds
    agent = cls(client, world=sb.world, backoffice=sb.backoffice, clock=sb.clock, catalog=sb.catalog)
    return sb, agent, model, sb.world.orders[ns.rng.choice(sorted(sb.world.orders))]


def _ask(agent: Any, model: _Finals, question: str) -> Any:
    try:
        return agent.ask(question)
    except _Runaway as exc:
        raise CheckFailed(
            f"GuardedAgent.ask kept re-asking: {exc}.",
            expected="one re-ask at most, then the safe path",
            hint="Count the re-asks; every loop needs a bound.",
        ) from None


def _truthful(order: Any) -> dict[str, Any]:
    return {
        "answer": f"Order {order.id} is {order.status}.",
        "status": order.status,
        "order_id": order.id,
        "citations": [],
        "action": "none",
        "refund_amount": 0.0,
        "confidence": 0.97,
    }


def _user_texts_after_first_answer(request: Any) -> str:
    msgs = request.messages
    first_answer = next((i for i, m in enumerate(msgs) if m.get("role") == "assistant" and m.get("content")), None)
    if first_answer is None:
        return ""
    return "\n".join(str(m.get("content") or "") for m in msgs[first_answer + 1 :] if m.get("role") != "tool")


def _claims_passed(sb: Any) -> list[Any]:
    return [a for a in sb.backoffice.actions if a.kind == "refund" or (a.kind == "message" and a.details.get("status"))]


@exercise("1.5", points=2, title="The guarded agent")
def guarded_agent_reasks_once_with_the_error(ns: Namespace) -> None:
    rng = ns.rng
    fake = f"policy/{rng.choice(['price-match', 'vip-refunds', 'loyalty'])}-{rng.randrange(100, 999)}"
    holder: dict[str, Any] = {}
    finals: list[FinalFn] = [
        lambda req, turn: _json_turn({**_truthful(holder["order"]), "citations": [fake]}),
        lambda req, turn: _json_turn(_truthful(holder["order"])),
    ]
    sb, agent, model, order = _guarded_setup(ns, finals)
    holder["order"] = order
    reply = _ask(agent, model, f"Where is my order {order.id}?")
    if len(model.requests) != 2:
        raise CheckFailed(
            "An answer citing a document the tools never returned should get exactly one re-ask.",
            expected="2 requests for an answer (the first, then one re-ask)",
            got=f"{len(model.requests)} request(s)",
            hint="On a validation or grounding failure, ask once more before taking the safe path.",
        )
    told = _user_texts_after_first_answer(model.requests[1])
    if fake not in told:
        raise CheckFailed(
            "The re-ask should tell the model what was wrong with its answer, as instructor does.",
            expected=f"a message after the first answer that mentions {fake!r}",
            got=told[:300] or "(nothing after the first answer)",
            hint="Send the problems you found back to the model; a bare 'try again' gets the same answer.",
        )
    statuses = [a.details.get("status") for a in sb.backoffice.actions if a.kind == "message"]
    if order.status not in statuses or getattr(reply, "status", None) != order.status:
        raise CheckFailed(
            "After a good second answer, the agent should pass that answer on.",
            expected=f"the customer told {order.status!r}",
            got={"reply.status": getattr(reply, "status", None), "backoffice": statuses},
            hint="When the re-asked answer passes every check, accept it (self.accept).",
        )


@exercise("1.5", points=2)
def guarded_agent_keeps_wrong_answers_out(ns: Namespace) -> None:
    from weekfour import scenarios
    from weekfour.labs.hallucination import run_production

    cls = ns.function("GuardedAgent")
    rate = round(ns.rng.uniform(0.3, 0.6), 2)
    run = run_production(
        lambda sb: cls(sb.client(), world=sb.world, backoffice=sb.backoffice, clock=sb.clock, catalog=sb.catalog),
        scenario=scenarios.hallucination(rate=rate, injection=0.6),
        n=40,
        seed=ns.rng.randrange(10_000),
    )
    q = run.per_question
    errors = q[q["error"].notna()]
    if len(errors):
        first = run.replies[int(errors.index[0])]
        raise CheckFailed(
            f"GuardedAgent.ask raised on {len(errors)} of {len(q)} questions; a customer sees each as an error.",
            got=f"{type(first).__name__}: {str(first)[:200]}",
            hint="Every failure should end in the safe path, never in an exception.",
        )
    wrong = q[q["wrong_downstream"] > 0]
    if len(wrong):
        raise CheckFailed(
            f"Under hallucination({rate}), {len(wrong)} wrong answers still reached the backoffice.",
            expected=0,
            got=list(wrong["why"])[:3],
            hint="Schema, grounding and confidence each catch different lies: is every one of them in the path?",
        )
    share = float(q["correct"].mean())
    if share < 0.6:
        raise CheckFailed(
            f"Only {share:.0%} of the questions got a correct answer; the rest went to a person.",
            expected="at least 60% answered correctly",
            hint="A guard that escalates everything is safe and useless: accept answers that pass every check.",
        )


@exercise("1.5", points=2, hidden=True)
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
        try:
            reply = _ask(agent, model, f"Where is my order {order.id}?")
        except CheckFailed:
            raise
        except Exception as exc:
            raise CheckFailed(
                f"GuardedAgent.ask raised on {what}.",
                got=f"{type(exc).__name__}: {str(exc)[:200]}",
                hint="Failures are data: they lead to a re-ask or the safe path, never to an exception.",
            ) from None
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
