# Exercise 1.2 — returns a dict
# expect: should return the Answer for a valid response
# rule: 1.2/valid-answer
# Validates, then hands back model_dump(): the agent gets a dict where it expects an Answer.


def parse_answer(response):
    choice = response["choices"][0]
    message = choice.get("message") or {}
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
        return Answer.model_validate(data).model_dump()
    except ValidationError as exc:
        return ParseFailure("invalid", str(exc))
