# Exercise 1.2 — ignores refusal
# expect: of kind 'refusal'
# rule: 1.2/refusal
# Reads only message.content; a refusal (content null) is misfiled as broken JSON.


def parse_answer(response):
    choice = response["choices"][0]
    if choice["finish_reason"] == "length":
        return ParseFailure("truncated", "cut off")
    try:
        data = json.loads(choice["message"]["content"] or "")
    except json.JSONDecodeError as exc:
        return ParseFailure("malformed_json", str(exc))
    try:
        return Answer.model_validate(data)
    except ValidationError as exc:
        return ParseFailure("invalid", str(exc))
