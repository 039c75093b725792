# Exercise 1.2 — reads the last choice
# expect: choices[0] when a second choice is a refusal
# rule: 1.2/valid-answer
# Takes choices[-1], 'the latest': with n=2 it parses the other sample, not the answer the agent uses.


def parse_answer(response):
    choice = response["choices"][-1]
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
        return Answer.model_validate(data)
    except ValidationError as exc:
        return ParseFailure("invalid", str(exc))
