"""Checks of notebook 01 (hallucination with no guard): schema, safe parsing, grounding, confidence, the guarded agent.

Every check picks its scenario with ``ns.rng`` (orders, amounts, fake document ids, token positions), so an answer
hard-coded to one run fails the next.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grader.checks import CheckFailed, Namespace, NotAttempted, exercise

if TYPE_CHECKING:
    from weekfour.sandbox import Sandbox
    from weekfour.world import Order

__all__ = [
    "answer_accepts_good_and_rejects_bad",
    "answer_format_is_strict",
    "confidence_is_the_weakest_token",
    "grounding_catches_contradictions",
    "guarded_agent_gates_on_confidence_and_steps",
    "guarded_agent_keeps_wrong_answers_out",
    "guarded_agent_reasks_once_with_the_error",
    "parse_answer_types_every_failure",
]

STATUSES = ("processing", "shipped", "delivered", "cancelled", "refunded")
FIELDS = ("answer", "status", "order_id", "citations", "action", "refund_amount", "confidence")


# The rules each exercise's text states, one case (or more) in a public check for each; fixtures name them too.
RULES = {
    # 1.1 the schema
    "1.1/fields-and-types": "exactly the seven fields, with the types of the table: a valid answer validates into an "
    "Answer that holds its values",
    "1.1/all-required": "every field is required, none has a default",
    "1.1/extra-forbidden": "extra fields are forbidden",
    "1.1/no-null": "no field takes null: '' , 0 and 'unknown' mean 'none'",
    "1.1/answer-not-empty": "answer is not empty",
    "1.1/status-values": "status is one of OrderStatus, every member accepted, anything else rejected",
    "1.1/order-id-format": "order_id is like 'A1042', or '' when there is no order",
    "1.1/action-values": "action is 'none', 'refund' or 'escalate'",
    "1.1/refund-complete": "a refund needs an order_id and a refund_amount above 0",
    "1.1/amount-only-on-refund": "any other action has refund_amount == 0",
    "1.1/amount-not-negative": "refund_amount is >= 0",
    "1.1/confidence-range": "confidence is between 0 and 1, both ends included",
    "1.1/format-strict": "ANSWER_FORMAT is a json_schema response_format with a name and strict: true, "
    "additionalProperties false and every property required on every object",
    "1.1/format-from-answer": "ANSWER_FORMAT's schema is the one generated from Answer",
    # 1.2 safe parsing
    "1.2/valid-answer": "a valid response becomes the validated Answer of choices[0]",
    "1.2/refusal": "message.refusal set gives ParseFailure('refusal', <the refusal text>), before anything else",
    "1.2/truncated": "finish_reason 'length' gives 'truncated', even when the text happens to parse",
    "1.2/malformed-json": "content empty, missing or not JSON gives 'malformed_json'",
    "1.2/invalid": "JSON that fails Answer validation gives 'invalid' with the validation error text, naming the field",
    "1.2/never-raises": "parse_answer never raises, whatever the body",
    "1.2/detail-says-why": "every failure's detail says what went wrong (the agent re-asks with it)",
    # 1.3 grounding
    "1.3/grounded-is-empty": "an answer that agrees with the tool results gets no problem",
    "1.3/citation-returned": "a citation that is not the id of a document search_policies returned in this "
    "conversation is a problem (existing elsewhere in the shop is not enough)",
    "1.3/status-looked-up": "an order status (every one of processing ... refunded) for an order get_order did not "
    "return is a problem",
    "1.3/status-matches": "an order status that differs from that order's get_order result is a problem",
    "1.3/not-found-reported": "status 'not_found' for an order id get_order did not report missing is a problem",
    "1.3/refund-looked-up": "a refund on an order that was never looked up is a problem",
    "1.3/refund-within-total": "a refund_amount above the order's total is a problem; the total itself is not",
    "1.3/names-the-value": "each problem names the offending value",
    "1.3/unreadable-skipped": "a tool message that is not a JSON object (plain text, no content) is skipped and the "
    "tool results after it still count",
    # 1.4 confidence
    "1.4/weakest-token": "the confidence is exp(min(logprob)) over choices[0].logprobs.content",
    "1.4/no-logprobs-zero": "a response without logprobs gives 0.0",
    "1.4/threshold-range": "CONFIDENCE_THRESHOLD is a probability strictly between 0 and 1",
    "1.4/threshold-separates": "the threshold stops the model's invented answers and passes the answers it was sure of",
    # 1.5 the guarded agent
    "1.5/request-body": "every request carries response_format=ANSWER_FORMAT and logprobs=True",
    "1.5/review": "review returns the Answer, or a string: the parse failure's text or every grounding problem, joined",
    "1.5/reask-with-the-error": "a failed review gets one re-ask: a user message REASK.format(problem=...)",
    "1.5/reask-once": "if the re-asked answer fails too, the safe path, with the reason; never a second re-ask",
    "1.5/low-confidence": "a passing answer below the threshold (self.threshold, else CONFIDENCE_THRESHOLD) takes "
    "the safe path 'low confidence', without a re-ask; at the threshold it is accepted",
    "1.5/accept": "an answer that passes every check is accepted (self.accept)",
    "1.5/max-steps": "self.max_steps (12 when None) bounds the requests, the re-ask included; then the safe path "
    "'too many steps'",
    "1.5/tools": "tool calls are run and counted as in SupportAgent.ask",
    "1.5/keeps-wrong-out": "under production traffic no wrong answer reaches the backoffice, none raises, and most "
    "questions get a correct answer",
}

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


def _first_lines(exc: Exception) -> str:
    """The head of a ValidationError: how many errors, and the first field with what is wrong with it."""
    return " / ".join(line.strip() for line in str(exc).splitlines()[:3])


def _validates(cls: Any, data: dict[str, Any]) -> tuple[bool, str]:
    from pydantic import ValidationError

    try:
        cls.model_validate(data)
    except ValidationError as exc:
        return False, _first_lines(exc)
    return True, ""


# --- 1.1 the schema -------------------------------------------------------------------------------------------


def _expect_valid(cls: Any, data: dict[str, Any], what: str, hint: str) -> None:
    from pydantic import ValidationError

    try:
        got = cls.model_validate(data)
    except ValidationError as exc:
        raise CheckFailed(
            f"Answer rejected a correct answer ({what}).",
            expected="it validates",
            got=f"{data} -> {_first_lines(exc)}",
            hint=hint,
        ) from None
    held = {k: getattr(got, k, None) for k in data} if isinstance(got, cls) else got
    if held != data:
        raise CheckFailed(
            f"Answer.model_validate on a correct answer ({what}) should give back an Answer holding its values.",
            expected=data,
            got=held,
            hint="A model_validator in mode 'after' hands the model on: what does yours return?",
        )


def _expect_invalid(cls: Any, data: dict[str, Any], what: str, hint: str) -> None:
    ok, _ = _validates(cls, data)
    if ok:
        raise CheckFailed(f"Answer accepted {what}.", expected="a ValidationError", got=data, hint=hint)


ALL_STATUSES = (*STATUSES, "not_found", "unknown")


@exercise(
    "1.1",
    points=2,
    title="A schema for the answer",
    rules=[
        "1.1/fields-and-types",
        "1.1/all-required",
        "1.1/extra-forbidden",
        "1.1/no-null",
        "1.1/answer-not-empty",
        "1.1/status-values",
        "1.1/order-id-format",
        "1.1/action-values",
        "1.1/refund-complete",
        "1.1/amount-only-on-refund",
        "1.1/amount-not-negative",
        "1.1/confidence-range",
    ],
)
def answer_accepts_good_and_rejects_bad(ns: Namespace) -> None:
    cls = _answer_class(ns)
    rng = ns.rng
    fields_hint = "Every field of the contract, with exactly the types and allowed values it lists."
    for good in (_order_answer(rng), _refund_answer(rng), _policy_answer(rng)):
        _expect_valid(cls, good, f"status {good['status']!r}, action {good['action']!r}", fields_hint)
    base = _order_answer(rng)
    oid = base["order_id"]
    for status in ALL_STATUSES:
        order_id = "" if status == "unknown" else oid
        data = {**base, "status": status, "order_id": order_id, "answer": f"Order {order_id or '-'}: {status}."}
        _expect_valid(cls, data, f"status {status!r}", fields_hint)
    _expect_valid(cls, {**base, "action": "escalate"}, "action 'escalate'", "action is one of three values.")
    cent = {**base, "action": "refund", "refund_amount": 0.01}
    _expect_valid(cls, cent, "a refund of 0.01", "A refund needs an amount above 0: the smallest one is fine.")
    _expect_valid(cls, {**base, "answer": "?"}, "a one-character answer", "Not empty means at least one character.")
    for edge in (0.0, 1.0):
        _expect_valid(cls, {**base, "confidence": edge}, f"confidence {edge}", "0 and 1 are probabilities too.")
    bad_cases: list[tuple[str, dict[str, Any], str]] = [
        (
            "an extra field the backoffice never asked for",
            {**base, rng.choice(["approved_by", "override", "admin"]): True},
            "Unknown keys are how a prompt injection smuggles instructions downstream: forbid extra fields.",
        ),
    ]
    for dropped in FIELDS:
        bad_cases.append(
            (
                f"an answer without the field {dropped!r}",
                {k: v for k, v in base.items() if k != dropped},
                "Every field is required; a missing one must not get a silent default.",
            )
        )
    for status in ("lost", "on its way", "Shipped", ""):
        bad_cases.append(
            (
                f"the status {status!r}, which is not one of the allowed values",
                {**base, "status": status},
                "status is one of a fixed list of values.",
            )
        )
    bad_cases += [
        ("an empty answer", {**base, "answer": ""}, "The customer must get some text: answer is not empty."),
        (
            "the action 'approve'",
            {**base, "action": rng.choice(["approve", "Refund", "cancel"])},
            "action is one of a fixed list of values.",
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
            "an amount on an escalation",
            {**base, "action": "escalate", "refund_amount": 0.01},
            "refund_amount must be 0 unless action is 'refund'.",
        ),
        (
            "a negative refund",
            {**base, "action": "refund", "refund_amount": -round(rng.uniform(5, 90), 2)},
            "Money amounts have a sign that makes sense.",
        ),
    ]
    for conf in (-0.01, 1.01, 97.0):
        bad_cases.append(
            (
                f"a confidence of {conf}, outside 0..1",
                {**base, "confidence": conf},
                "Probabilities live between 0 and 1.",
            )
        )
    for odd in (f"order {oid}", oid.lower(), f"#{oid}", "A12", f"{oid}X", f" {oid}"):
        bad_cases.append(
            (
                f"the order id {odd!r}, which is not an order id",
                {**base, "order_id": odd},
                "Order ids look like A1042 (or the empty string when there is no order).",
            )
        )
    for nulled in FIELDS:
        bad_cases.append(
            (
                f"null for the field {nulled!r}",
                {**base, nulled: None},
                "Every field stays a plain value: '' for no text, 0 for no amount, 'unknown' for no status.",
            )
        )
    for what, data, hint in bad_cases:
        _expect_invalid(cls, data, what, hint)


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


@exercise("1.1", points=1, rules=["1.1/format-strict", "1.1/format-from-answer"])
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
    if not str(got.detail or "").strip():
        raise CheckFailed(
            f"parse_answer on {what} returned a ParseFailure with an empty detail.",
            expected=f"ParseFailure({kind!r}, <what went wrong>)",
            got=got,
            hint="The detail is what the agent sends back to the model when it re-asks: say what went wrong.",
        )
    return got


def _expect_answer(ns: Namespace, response: dict[str, Any], data: dict[str, Any], what: str) -> None:
    cls = _answer_class(ns)
    got = _call_parse(ns, response)
    held = {k: getattr(got, k, None) for k in data} if isinstance(got, cls) else None
    if held != data:
        raise CheckFailed(
            f"parse_answer should return the Answer for {what}.",
            expected=f"Answer(status={data['status']!r}, order_id={data['order_id']!r}, ...)",
            got=got,
            hint="Read choices[0].message.content and validate it with your Answer model.",
        )


def _two_choices(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """One body with the choices of two (as a request with n=2 gets back)."""
    body = json.loads(json.dumps(first))
    extra = json.loads(json.dumps(second["choices"][0]))
    extra["index"] = 1
    body["choices"].append(extra)
    return body


@exercise(
    "1.2",
    points=3,
    title="Safe parsing",
    rules=[
        "1.2/valid-answer",
        "1.2/refusal",
        "1.2/truncated",
        "1.2/malformed-json",
        "1.2/invalid",
        "1.2/never-raises",
        "1.2/detail-says-why",
    ],
)
def parse_answer_types_every_failure(ns: Namespace) -> None:
    rng = ns.rng
    good = _order_answer(rng)
    _expect_answer(ns, _wire(json.dumps(good)), good, "a valid response")
    text = json.dumps(_order_answer(rng))
    cut = text[: rng.randrange(10, len(text) - 5)]
    _expect_failure(
        ns,
        _wire(cut, finish_reason="length"),
        "truncated",
        "an answer cut off at the token limit (finish_reason 'length')",
        "Look at choices[0].finish_reason before you look at the content.",
    )
    refusal_text = rng.choice(["I can't help with that.", "I'm sorry, I cannot assist with refunds."])
    failure = _expect_failure(
        ns,
        _wire(None, refusal=refusal_text),
        "refusal",
        "a refusal (message.refusal set, content null)",
        "A refusal arrives in message.refusal, not in content.",
    )
    if refusal_text not in failure.detail:
        raise CheckFailed(
            "The refusal's ParseFailure should carry the refusal text as its detail.",
            expected=f"a detail with {refusal_text!r}",
            got=failure.detail,
            hint="What the model said when it refused is the best description of why.",
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
    _expect_failure(ns, _wire(" \n "), "malformed_json", "a content of blanks", "Blanks are not an answer either.")
    _expect_failure(
        ns,
        _wire(None),
        "malformed_json",
        "a content of null with no refusal",
        "content can be null; read it as 'no answer', not as text.",
    )
    # the order of the rules: refusal first, then the token limit, even over text that parses
    _expect_failure(
        ns,
        _wire(json.dumps(good), finish_reason="length"),
        "truncated",
        "a response with finish_reason 'length' whose content happens to parse",
        "finish_reason 'length' means the model had more to say; never act on a cut answer.",
    )
    _expect_failure(
        ns,
        _wire(None, refusal=refusal_text, finish_reason="length"),
        "refusal",
        "a refusal that also ended at the token limit",
        "The rules apply in their order: a refusal is a refusal, however it ended.",
    )
    for dropped in FIELDS:
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
    unrefunded = {**good, "action": "refund", "refund_amount": 0.0}
    _expect_failure(
        ns,
        _wire(json.dumps(unrefunded)),
        "invalid",
        "JSON whose fields disagree (a refund of 0)",
        "Your Answer's own validator is part of validation: let it speak.",
    )
    for not_object in ([good], "Order shipped.", 42):
        _expect_failure(
            ns,
            _wire(json.dumps(not_object)),
            "invalid",
            f"JSON that is a {type(not_object).__name__} instead of an object",
            "JSON that parses is not yet an answer.",
        )
    no_message = _wire("")
    no_message["choices"][0]["message"] = None
    _expect_failure(
        ns,
        no_message,
        "malformed_json",
        "a choice whose message is null (a broken proxy)",
        "parse_answer never raises: a body without a message has no answer in it.",
    )
    refusal_second = _two_choices(_wire(json.dumps(good)), _wire(None, refusal=refusal_text))
    _expect_answer(ns, refusal_second, good, "choices[0] when a second choice is a refusal")


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


def _with_unreadable_results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages`` with two tool results nobody can parse, before the real ones: plain text, then no content."""
    calls = [
        {"id": f"call_unreadable_{i}", "type": "function", "function": {"name": "get_order", "arguments": "{}"}}
        for i in range(2)
    ]
    unreadable: list[dict[str, Any]] = [
        {"role": "assistant", "content": None, "tool_calls": calls},
        {"role": "tool", "tool_call_id": "call_unreadable_0", "content": "upstream timeout, try again"},
        {"role": "tool", "tool_call_id": "call_unreadable_1", "content": None},
    ]
    return [*messages[:2], *unreadable, *messages[2:]]


def _hand_conversation(world: Any, calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """A conversation in which the model called these tools (each one really run on ``world``)."""
    tool_calls: list[dict[str, Any]] = [
        {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
        for i, (name, args) in enumerate(calls)
    ]
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are the shop's support agent."},
        {"role": "user", "content": "Can you help me?"},
        {"role": "assistant", "content": None, "tool_calls": tool_calls},
    ]
    for call in tool_calls:
        result = world.call_tool(call["function"]["name"], call["function"]["arguments"])
        messages.append({"role": "tool", "tool_call_id": call["id"], "content": result})
    return messages


def _about(order_id: str, status: str, **overrides: Any) -> dict[str, Any]:
    return {
        "answer": f"Order {order_id or '(none)'}: {status}.",
        "status": status,
        "order_id": order_id,
        "citations": [],
        "action": "none",
        "refund_amount": 0.0,
        "confidence": 0.97,
        **overrides,
    }


def _grounding_rules_every_member(ns: Namespace) -> None:
    """The cases no random conversation may skip: every status, both sides of the total, every kind of miss."""
    from weekfour import sandbox, scenarios

    rng = ns.rng
    sb = sandbox(scenarios.happy(), seed=rng.randrange(10_000))
    world = sb.world
    orders = sorted(world.orders.values(), key=lambda o: o.id)
    o1 = rng.choice(orders)
    o2 = rng.choice([o for o in orders if o.status != o1.status])
    missing = f"A{rng.randrange(5000, 9999)}"
    unseen = f"A{rng.randrange(5000, 9999)}"
    while unseen == missing:
        unseen = f"A{rng.randrange(5000, 9999)}"
    two = _hand_conversation(world, [("get_order", {"order_id": o1.id}), ("get_order", {"order_id": o2.id})])
    _expect_grounded(ns, _about(o1.id, o1.status), two, f"the status of {o1.id} when two orders were looked up")
    _expect_grounded(ns, _about(o2.id, o2.status), two, f"the status of {o2.id} when two orders were looked up")
    _expect_problem(
        ns,
        _about(o1.id, o2.status),
        two,
        f"order {o1.id} said to be {o2.status!r}, the status of another order ({o2.id})",
        (o2.status, o1.id),
        "Match the answer's order_id to the get_order result for that order, not to any result.",
    )
    for status in STATUSES:
        _expect_problem(
            ns,
            _about(unseen, status),
            two,
            f"status {status!r} for order {unseen}, which was never looked up",
            unseen,
            "Every order status needs the get_order result of that very order: processing ... refunded.",
        )
        if status != o1.status:
            _expect_problem(
                ns,
                _about(o1.id, status),
                two,
                f"status {status!r} while get_order said {o1.status!r}",
                status,
                "The status the answer states must be the status the order tool returned.",
            )
    _expect_grounded(ns, _about("", "unknown"), two, "status 'unknown' with no order")
    # not_found: only for an id get_order reported missing
    lookups = _hand_conversation(
        world,
        [
            ("get_order", {"order_id": missing}),
            ("get_order", {"order_id": o1.id}),
            ("get_product", {"sku": f"NOPE-{rng.randrange(100)}"}),  # another tool's error is not a missing order
        ],
    )
    _expect_grounded(ns, _about(missing, "not_found"), lookups, f"'not_found' for {missing}, which get_order missed")
    for oid, why in (
        (o1.id, "an order get_order found"),
        (unseen, "an order id nobody looked up"),
        ("", "no order id at all"),
    ):
        _expect_problem(
            ns,
            _about(oid, "not_found"),
            lookups,
            f"status 'not_found' for {why} ({oid!r})",
            (f"'{oid}'", "not_found") if oid else "not_found",
            "'not_found' is a fact too: get_order must have reported that very order id missing.",
        )
    # citations: returned in this conversation, not merely existing in the shop
    search = _hand_conversation(world, [("search_policies", {"query": rng.choice(["refund", "return", "shipping"])})])
    returned = sorted(_docs_seen(search))
    elsewhere = sorted(set(world.documents) - set(returned))
    doc, real = rng.choice(returned), rng.choice(elsewhere)
    _expect_grounded(ns, _about("", "unknown", citations=[doc]), search, f"a citation of {doc}, which was returned")
    _expect_problem(
        ns,
        _about("", "unknown", citations=[doc, real]),
        search,
        f"a citation of {real!r}: it exists in the shop, but the tools never returned it in this conversation",
        real,
        "Grounded means: in the tool results this conversation saw, not anywhere in the world.",
    )
    # refunds: looked up, and at most the total (the total itself is fine, one cent more is not)
    o3 = rng.choice([o for o in orders if o.total > 1])
    looked = _hand_conversation(world, [("get_order", {"order_id": o3.id})])
    refund = _about(o3.id, o3.status, action="refund", refund_amount=float(o3.total))
    _expect_grounded(ns, refund, looked, f"a refund of exactly the order total {o3.total:.2f}")
    under = round(o3.total - 0.01, 2)
    _expect_grounded(ns, {**refund, "refund_amount": under}, looked, f"a refund of {under:.2f}, under the total")
    over = round(o3.total + 0.01, 2)
    _expect_problem(
        ns,
        {**refund, "refund_amount": over},
        looked,
        f"a refund of {over:.2f} on an order whose total is {o3.total:.2f}",
        (f"{over:.2f}", f"{over}", f"{over:g}", f"{o3.total:.2f}", f"{o3.total}"),
        "A refund can never be more than the total the order tool returned, not even by a cent.",
    )
    amount = round(rng.uniform(5, 90), 2)
    _expect_problem(
        ns,
        _about(unseen, "unknown", action="refund", refund_amount=amount),
        looked,
        f"a refund of {amount:.2f} for order {unseen}, which was never looked up",
        unseen,
        "Money goes out only for an order the tools returned in this conversation.",
    )


@exercise(
    "1.3",
    points=3,
    title="Grounding",
    rules=[
        "1.3/grounded-is-empty",
        "1.3/citation-returned",
        "1.3/status-looked-up",
        "1.3/status-matches",
        "1.3/not-found-reported",
        "1.3/refund-looked-up",
        "1.3/refund-within-total",
        "1.3/names-the-value",
        "1.3/unreadable-skipped",
    ],
)
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
    _expect_grounded(
        ns,
        base,
        _with_unreadable_results(messages),
        "the status get_order returned, after a tool that answered in plain text and one that answered nothing",
    )
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
    _grounding_rules_every_member(ns)


# --- 1.4 confidence from logprobs -----------------------------------------------------------------------------


def _confidence(ns: Namespace, response: dict[str, Any]) -> float:
    answer_confidence = ns.function("answer_confidence")
    got = answer_confidence(response)
    if isinstance(got, bool) or not isinstance(got, int | float):
        raise CheckFailed("answer_confidence should return a number between 0 and 1.", got=got)
    return float(got)


def _threshold(ns: Namespace) -> float:
    threshold = ns.get("CONFIDENCE_THRESHOLD")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 < threshold < 1.0:
        raise CheckFailed(
            "CONFIDENCE_THRESHOLD should be a probability strictly between 0 and 1.",
            expected="0 < CONFIDENCE_THRESHOLD < 1",
            got=threshold,
            hint="0 passes everything, 1 escalates everything.",
        )
    return float(threshold)


def _threshold_separates(ns: Namespace) -> None:
    # The deciding cases, always: the most likely invention this model ever writes, and the least sure of the
    # answers it is sure of. Between them is where a threshold belongs (the slider shows both groups).
    from weekfour.model import CONFIDENT, UNSURE

    threshold = _threshold(ns)
    rng = ns.rng
    data = _order_answer(rng)
    content = json.dumps(data)
    from weekfour.tokens import split_tokens

    n = len(split_tokens(content))
    invented = [CONFIDENT[1]] * n
    invented[rng.randrange(n)] = UNSURE[1]
    score = _confidence(ns, _wire(content, logprobs=invented))
    if score >= threshold:
        raise CheckFailed(
            f"With CONFIDENCE_THRESHOLD = {threshold}, invented answers still passed: one whose invented token has "
            f"probability {score:.2f} went to the backoffice.",
            expected=f"a threshold above {score:.2f}",
            got=threshold,
            hint="Look at the confidences of the wrong answers in the notebook's slider and move the threshold.",
        )
    sure = [CONFIDENT[0]] * n
    score = _confidence(ns, _wire(content, logprobs=sure))
    if score < threshold:
        raise CheckFailed(
            f"With CONFIDENCE_THRESHOLD = {threshold}, correct answers that the model was sure of (every token at "
            f"{score:.2f}) go to a person.",
            expected=f"a threshold of at most {score:.2f}",
            got=threshold,
            hint="A threshold that escalates confident, correct answers makes the agent useless: lower it.",
        )


@exercise(
    "1.4",
    points=2,
    title="Confidence from logprobs",
    rules=["1.4/weakest-token", "1.4/no-logprobs-zero", "1.4/threshold-range", "1.4/threshold-separates"],
)
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
    empties: tuple[dict[str, Any], ...] = ({"content": [], "refusal": None}, {"content": None, "refusal": None})
    for empty in empties:
        response = _wire(content, logprobs=None)
        response["choices"][0]["logprobs"] = empty
        got = _confidence(ns, response)
        if got != 0.0:
            raise CheckFailed(
                "A response whose logprobs list no token gives no evidence: answer_confidence should return 0.0.",
                expected=0.0,
                got=got,
                hint="No tokens, no evidence of confidence.",
            )
    # choices[0] is the answer: a second choice of the same body must not change its confidence
    other = _wire(content, logprobs=[-0.001] * n)
    both = json.loads(json.dumps(_wire(content, logprobs=lps)))
    second = other["choices"][0]
    second["index"] = 1
    both["choices"].append(second)
    got = _confidence(ns, both)
    if abs(got - want) > 1e-6:
        raise CheckFailed(
            "answer_confidence should read the logprobs of choices[0], the answer the agent uses.",
            expected=round(want, 6),
            got=got,
            hint="A body can hold several choices; the agent answers with the first.",
        )
    _threshold_separates(ns)


# --- 1.5 the guarded agent ------------------------------------------------------------------------------------


class _Runaway(Exception):
    """Raised by the check's model when an agent keeps asking for answers: the loop has no bound."""


FinalFn = Callable[[Any, Any], Any]  # (request, inner final turn) -> ModelTurn


class _Finals:
    """Wraps the shop's model: tool calls pass through; final answers come from ``finals`` while any are left.

    With ``then_tools`` (an order id), every final answer after ``finals`` is replaced by one more ``get_order`` call:
    a model that never stops looking things up.
    """

    def __init__(self, inner: Any, finals: list[FinalFn], *, limit: int = 6, then_tools: str | None = None) -> None:
        self.inner = inner
        self.finals = list(finals)
        self.limit = limit
        self.then_tools = then_tools
        self.requests: list[Any] = []  # every request answered with a final answer
        self.every_request: list[Any] = []

    def respond(self, request: Any, ctx: Any) -> Any:
        from weekfour.types import ModelTurn, ToolCall

        self.every_request.append(request)
        if len(self.every_request) > 40:
            raise _Runaway(f"the agent sent {len(self.every_request)} requests for one question")
        turn = self.inner.respond(request, ctx)
        if turn.tool_calls:
            return turn
        if not self.finals and self.then_tools is not None:
            n = len(self.every_request)
            args = json.dumps({"order_id": self.then_tools})
            return ModelTurn(tool_calls=[ToolCall(id=f"call_more_{n}", name="get_order", arguments=args)])
        self.requests.append(request)
        if len(self.requests) > self.limit:
            raise _Runaway(f"the agent asked for {len(self.requests)} answers to one question")
        if self.finals:
            return self.finals.pop(0)(request, turn)
        return turn


def _json_turn(
    data: dict[str, Any], *, logprob: float = -0.01, weak: str | None = None, weak_logprob: float = -1.9
) -> Any:
    """A final answer as JSON; the value of field ``weak`` (if any) gets a low logprob."""
    from weekfour.types import ModelTurn, Span

    spans = []
    for i, (key, value) in enumerate(data.items()):
        spans.append(Span(("{" if i == 0 else ", ") + json.dumps(key) + ": ", logprob))
        spans.append(Span(json.dumps(value), weak_logprob if key == weak else logprob))
    spans.append(Span("}", logprob))
    return ModelTurn(spans=spans)


def _guarded_setup(
    ns: Namespace, finals: list[FinalFn], *, then_tools: bool = False
) -> tuple[Sandbox, Any, _Finals, Order]:
    from weekfour import sandbox, scenarios

    cls = ns.function("GuardedAgent")
    sb = sandbox(scenarios.happy(), seed=ns.rng.randrange(10_000))
    order = sb.world.orders[ns.rng.choice(sorted(sb.world.orders))]
    model = _Finals(sb.model, finals, then_tools=order.id if then_tools else None)
    sb.provider.model = model
    client = sb.client(timeout=60.0)  # a 512-token answer takes about 6 simulated seconds
    agent = cls(client, world=sb.world, backoffice=sb.backoffice, clock=sb.clock, catalog=sb.catalog)
    return sb, agent, model, order


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
    first_answer = next(
        (i for i, m in enumerate(msgs) if m.get("role") == "assistant" and not m.get("tool_calls")), None
    )
    if first_answer is None:
        return ""
    return "\n".join(str(m.get("content") or "") for m in msgs[first_answer + 1 :] if m.get("role") != "tool")


def _claims_passed(sb: Any) -> list[Any]:
    return [a for a in sb.backoffice.actions if a.kind == "refund" or (a.kind == "message" and a.details.get("status"))]


def _expect_safe_path(sb: Any, reply: Any, what: str, reason: str | None = None) -> None:
    from weekfour.agent import Reply

    passed = _claims_passed(sb)
    tickets = [a for a in sb.backoffice.actions if a.kind == "ticket"]
    if passed or len(tickets) != 1:
        raise CheckFailed(
            f"On {what}, the agent should take the safe path: no claim downstream, a ticket for a person.",
            expected="no status or refund passed on, one ticket",
            got={"passed on": [(a.kind, a.details.get("status")) for a in passed], "tickets": len(tickets)},
            hint="When the answer cannot be trusted, say you don't know and hand it to a person (self.safe_path).",
        )
    if not isinstance(reply, Reply):
        raise CheckFailed(
            f"On {what}, GuardedAgent.ask should return the Reply of the safe path.",
            expected="a Reply",
            got=reply,
            hint="The customer still gets an answer: the one safe_path gives back.",
        )
    got = str((reply.data or {}).get("reason", ""))
    if reason is not None and reason not in got:
        raise CheckFailed(
            f"On {what}, the safe path should say why, for the person who picks up the ticket.",
            expected=f"a reason with {reason!r}",
            got=got,
            hint="The reason passed to self.safe_path is what the exercise says it is.",
        )


def _expect_accepted(sb: Any, reply: Any, order: Any, what: str) -> None:
    statuses = [a.details.get("status") for a in sb.backoffice.actions if a.kind == "message"]
    if order.status not in statuses or getattr(reply, "status", None) != order.status:
        raise CheckFailed(
            f"After {what}, the agent should pass that answer on.",
            expected=f"the customer told {order.status!r}",
            got={"reply.status": getattr(reply, "status", None), "backoffice": statuses},
            hint="When an answer passes every check, accept it (self.accept).",
        )


@exercise(
    "1.5",
    points=2,
    title="The guarded agent",
    rules=["1.5/review", "1.5/reask-with-the-error", "1.5/reask-once", "1.5/accept"],
)
def guarded_agent_reasks_once_with_the_error(ns: Namespace) -> None:
    from weekfour.types import ModelTurn, Span

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
    _expect_accepted(sb, reply, order, "a good second answer")

    # every problem goes back to the model, each one readable on its own
    fakes = [f"{fake}-a", f"{fake}-b"]
    sb, agent, model, order = _guarded_setup(
        ns,
        [
            lambda req, turn: _json_turn({**_truthful(holder["order"]), "citations": fakes}),
            lambda req, turn: _json_turn(_truthful(holder["order"])),
        ],
    )
    holder["order"] = order
    _ask(agent, model, f"Where is my order {order.id}?")
    told = _user_texts_after_first_answer(model.requests[1]) if len(model.requests) > 1 else ""
    problems = _grounding(ns, {**_truthful(order), "citations": fakes}, model.requests[0].messages)
    if len(problems) > 1 and ("".join(problems) in told or not all(p in told for p in problems)):
        raise CheckFailed(
            "With two problems, the re-ask should carry both, each one readable.",
            expected=problems,
            got=told[:400] or "(nothing after the first answer)",
            hint="Join the problems with a separator the model can read.",
        )

    # a parse failure is re-asked too, with its text
    refusal = rng.choice(["I can't help with that.", "I'm unable to share order details."])
    sb, agent, model, order = _guarded_setup(
        ns, [lambda req, turn: ModelTurn(refusal=refusal), lambda req, turn: _json_turn(_truthful(holder["order"]))]
    )
    holder["order"] = order
    reply = _ask(agent, model, f"Where is my order {order.id}?")
    told = _user_texts_after_first_answer(model.requests[1]) if len(model.requests) > 1 else ""
    if len(model.requests) != 2 or refusal not in told:
        raise CheckFailed(
            "A refusal is a failed review: one re-ask that tells the model what happened.",
            expected=f"a second request whose re-ask mentions {refusal!r}",
            got={"requests": len(model.requests), "re-ask": told[:300]},
            hint="review turns a ParseFailure into its text; the re-ask carries it.",
        )
    _expect_accepted(sb, reply, order, "a refusal then a good answer")

    # the re-ask fails too: the safe path, with the reason; never a second re-ask
    def fake_citation(req: Any, turn: Any) -> Any:
        return _json_turn({**_truthful(holder["order"]), "citations": [fake]})

    cut = "".join(["very "] * 900)
    cases: list[tuple[str, list[FinalFn], str]] = [
        ("an answer that fails grounding twice", [fake_citation] * 10, fake),
        (
            "an answer cut off at the token limit, twice",
            [lambda req, turn: ModelTurn(spans=[Span('{"answer": "' + cut, -0.01)])] * 10,
            "truncated",
        ),
    ]
    for what, script, reason in cases:
        sb, agent, model, order = _guarded_setup(ns, script)
        holder["order"] = order
        reply = _ask(agent, model, f"Where is my order {order.id}?")
        if len(model.requests) != 2:
            raise CheckFailed(
                f"On {what}, the agent should ask exactly twice (the answer, one re-ask), then stop.",
                expected=2,
                got=len(model.requests),
                hint="One re-ask, then the safe path.",
            )
        _expect_safe_path(sb, reply, what, reason)


@exercise(
    "1.5",
    points=1,
    rules=["1.5/request-body", "1.5/low-confidence", "1.5/max-steps", "1.5/tools", "1.5/accept"],
)
def guarded_agent_gates_on_confidence_and_steps(ns: Namespace) -> None:
    from weekfour.agent import SupportAgent

    rng = ns.rng
    holder: dict[str, Any] = {}
    threshold = float(ns.get("CONFIDENCE_THRESHOLD") or 0.5)
    fmt = ns.get("ANSWER_FORMAT")

    def weak_turn(logprob: float) -> FinalFn:
        return lambda req, turn: _json_turn(_truthful(holder["order"]), weak="status", weak_logprob=logprob)

    # the request, the tools, and an answer just above the threshold: accepted
    above = math.log(threshold) + 0.01
    sb, agent, model, order = _guarded_setup(ns, [weak_turn(above)])
    holder["order"] = order
    reply = _ask(agent, model, f"Where is my order {order.id}?")
    for request in model.every_request:
        if request.response_format != fmt or request.logprobs is not True:
            raise CheckFailed(
                "Every request of GuardedAgent should ask for the strict schema and for token logprobs.",
                expected={"response_format": "ANSWER_FORMAT", "logprobs": True},
                got={"response_format": request.response_format, "logprobs": request.logprobs},
                hint="request_body adds both to the day-three body.",
            )
    _expect_accepted(sb, reply, order, f"a grounded answer whose weakest token is just above {threshold}")
    results = sum(1 for m in getattr(reply, "messages", []) if m.get("role") == "tool")
    if results == 0 or getattr(reply, "tool_calls", None) != results:
        raise CheckFailed(
            "GuardedAgent.ask should run the model's tool calls and count them, as SupportAgent.ask does.",
            expected=f"reply.tool_calls == {results} (the tool results in the conversation)",
            got=getattr(reply, "tool_calls", None),
            hint=f"Read {SupportAgent.__name__}.ask: each call is run, answered and counted.",
        )
    # just below: the safe path, without a re-ask
    below = math.log(threshold) - 0.01
    sb, agent, model, order = _guarded_setup(ns, [weak_turn(below)] * 3)
    holder["order"] = order
    reply = _ask(agent, model, f"Where is my order {order.id}?")
    if len(model.requests) != 1:
        raise CheckFailed(
            "A grounded answer the model was unsure of goes to a person; re-asking does not make it surer.",
            expected="1 request for an answer",
            got=f"{len(model.requests)} request(s)",
            hint="Only a failed review is re-asked; low confidence goes to the safe path.",
        )
    _expect_safe_path(sb, reply, f"a grounded answer whose weakest token is just below {threshold}", "low confidence")
    # self.threshold, when set, is the threshold: at it, accepted; just over it, the safe path
    weak = round(rng.uniform(-2.4, -1.3), 3)
    for own, accepted in ((math.exp(weak), True), (math.exp(weak) * 1.01, False), (math.exp(weak) / 2, True)):
        sb, agent, model, order = _guarded_setup(ns, [weak_turn(weak)] * 3)
        holder["order"] = order
        agent.threshold = own
        reply = _ask(agent, model, f"Where is my order {order.id}?")
        what = f"an answer of confidence {math.exp(weak):.4f} with agent.threshold = {own:.4f}"
        if accepted:
            _expect_accepted(sb, reply, order, what)
        else:
            _expect_safe_path(sb, reply, what, "low confidence")
    # a model that never stops calling tools: max_steps requests (12 when None), the re-ask included, then stop
    for steps, first in ((None, []), (rng.randrange(3, 7), []), (rng.randrange(4, 8), ["reask"])):
        script: list[FinalFn] = []
        if first:
            script = [lambda req, turn: _json_turn({**_truthful(holder["order"]), "citations": ["policy/made-up"]})]
        sb, agent, model, order = _guarded_setup(ns, script, then_tools=True)
        holder["order"] = order
        agent.max_steps = steps
        reply = _ask(agent, model, f"Where is my order {order.id}?")
        want = 12 if steps is None else steps
        what = f"a model that keeps calling tools (max_steps={steps}" + (", after one re-ask)" if first else ")")
        if len(model.every_request) != want:
            raise CheckFailed(
                f"On {what}, the agent should send exactly {want} requests, then stop.",
                expected=want,
                got=len(model.every_request),
                hint="self.max_steps bounds every request to the model, the re-ask included; 12 when it is None.",
            )
        _expect_safe_path(sb, reply, what, "too many steps")


@exercise("1.5", points=2, rules=["1.5/keeps-wrong-out"])
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
