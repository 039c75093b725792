# Exercise 5.4 — only a ```json fence is unwrapped: a bare ``` fence or a one-line preamble is refused as no JSON.
# expect: parse_strict should accept
# rule: 5.4/tolerates-harmless

import json


def parse_strict(content):
    text = content.strip()
    if "```json" in text:
        text = text.split("```json", 1)[1].split("```", 1)[0]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"no JSON object: {exc}") from None
    return SupportAnswer.model_validate(data).model_dump()
