# Exercise 1.2 — failures without detail
# expect: with an empty detail
# rule: 1.2/detail-says-why
# The kind is right, the detail is left out: the re-ask can only say 'truncated'.


def parse_answer(response):
    choice = response["choices"][0]
    message = choice.get("message") or {}
    if message.get("refusal"):
        return ParseFailure("refusal", str(message["refusal"]))
    if choice.get("finish_reason") == "length":
        return ParseFailure("truncated")
    content = message.get("content")
    if not content or not content.strip():
        return ParseFailure("malformed_json")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        return ParseFailure("malformed_json", f"not JSON: {exc}")
    try:
        return Answer.model_validate(data)
    except ValidationError as exc:
        return ParseFailure("invalid", str(exc))
