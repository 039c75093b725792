# Exercise 1.2 — null content means refusal
# expect: a content of null with no refusal
# rule: 1.2/malformed-json
# "A refusal comes with content null", read backwards: every null content is filed as a refusal, never re-asked.


def parse_answer(response):
    choice = response["choices"][0]
    message = choice.get("message") or {}
    if message.get("refusal") or message.get("content") is None:
        return ParseFailure("refusal", str(message.get("refusal") or "the model refused"))
    if choice.get("finish_reason") == "length":
        return ParseFailure("truncated", "the answer was cut off at the token limit")
    content = message["content"]
    if not content.strip():
        return ParseFailure("malformed_json", "the answer was empty")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        return ParseFailure("malformed_json", f"not JSON: {exc}")
    try:
        return Answer.model_validate(data)
    except ValidationError as exc:
        return ParseFailure("invalid", str(exc))
