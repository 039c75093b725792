# Exercise 1.2 — trusts the message
# expect: raised AttributeError
# rule: 1.2/never-raises
# Indexes the message straight away: a body whose message is null raises in the request handler.


def parse_answer(response):
    choice = response["choices"][0]
    message = choice["message"]
    if message.get("refusal"):
        return ParseFailure("refusal", str(message["refusal"]))
    if choice.get("finish_reason") == "length":
        return ParseFailure("truncated", "the answer was cut off at the token limit")
    content = message.get("content")
    if not content or not content.strip():
        return ParseFailure("malformed_json", "the answer was empty")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        return ParseFailure("malformed_json", f"not JSON: {exc}")
    try:
        return Answer.model_validate(data)
    except ValidationError as exc:
        return ParseFailure("invalid", str(exc))
