# Exercise 1.5 — problems glued together
# expect: each one readable
# rule: 1.5/review
# Joins the problems with nothing between them: two problems read as one garbled sentence.


class GuardedAgent(GuardedAgent):
    def review(self, response, messages):
        parsed = parse_answer(response)
        if isinstance(parsed, ParseFailure):
            return str(parsed)
        problems = grounding_problems(parsed, messages)
        return "".join(problems) if problems else parsed
