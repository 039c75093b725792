# Exercise 1.5 — review skips parse answer
# expect: A refusal is a failed review
# rule: 1.5/review
# Validates the content directly: a refusal becomes a pydantic error about empty input, not the refusal.


class GuardedAgent(GuardedAgent):
    def review(self, response, messages):
        content = response["choices"][0]["message"].get("content") or ""
        try:
            answer = Answer.model_validate_json(content)
        except ValidationError as exc:
            return f"invalid JSON: {exc.errors()[0]['msg']}"
        problems = grounding_problems(answer, messages)
        return "; ".join(problems) if problems else answer
