# Exercise 1.2 — skips validation
# expect: of kind 'invalid'
# rule: 1.2/invalid
# Builds the Answer with model_construct, which skips validation: missing fields become a silent object.


def parse_answer(response):
    choice = response["choices"][0]
    message = choice["message"]
    if message.get("refusal"):
        return ParseFailure("refusal", message["refusal"])
    if choice["finish_reason"] == "length":
        return ParseFailure("truncated", "cut off")
    try:
        data = json.loads(message.get("content") or "")
    except json.JSONDecodeError as exc:
        return ParseFailure("malformed_json", str(exc))
    return Answer.model_construct(**data) if isinstance(data, dict) else ParseFailure("invalid", "not an object")
