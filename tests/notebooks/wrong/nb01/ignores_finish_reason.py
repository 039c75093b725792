# Exercise 1.2 — ignores finish reason
# expect: of kind 'truncated'
# rule: 1.2/truncated
# Never looks at finish_reason: a cut answer is called malformed, and a cut one that parses is trusted.


def parse_answer(response):
    message = response["choices"][0]["message"]
    if message.get("refusal"):
        return ParseFailure("refusal", message["refusal"])
    try:
        data = json.loads(message.get("content") or "")
    except json.JSONDecodeError as exc:
        return ParseFailure("malformed_json", str(exc))
    try:
        return Answer.model_validate(data)
    except ValidationError as exc:
        return ParseFailure("invalid", str(exc))
