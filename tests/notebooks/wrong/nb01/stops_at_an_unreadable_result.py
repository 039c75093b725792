# Exercise 1.3 — tool_results gives up at the first tool message that is not JSON: every result after it is lost.
# expect: after a tool that answered in plain text
# rule: 1.3/unreadable-skipped


def tool_results(messages):
    names = {
        call["id"]: call["function"]["name"]
        for m in messages
        if m.get("role") == "assistant"
        for call in m.get("tool_calls") or ()
    }
    seen = []
    for m in messages:
        if m.get("role") == "tool":
            try:
                result = json.loads(m.get("content") or "")
            except json.JSONDecodeError:
                break
            if isinstance(result, dict):
                seen.append((names.get(m.get("tool_call_id"), ""), result))
    return seen
