# Exercise 1.2 — raises on malformed json
# expect: raised JSONDecodeError
# rule: 1.2/malformed-json, 1.2/never-raises
# Json.loads with no guard: prose from the model becomes a JSONDecodeError in the request handler.


def parse_answer(response):
    choice = response["choices"][0]
    if choice["message"].get("refusal"):
        return ParseFailure("refusal", choice["message"]["refusal"])
    if choice["finish_reason"] == "length":
        return ParseFailure("truncated", "cut off")
    try:
        return Answer.model_validate(json.loads(choice["message"]["content"]))
    except ValidationError as exc:
        return ParseFailure("invalid", str(exc))
