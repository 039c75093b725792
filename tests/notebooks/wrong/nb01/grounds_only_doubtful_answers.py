# Exercise 1.5 — grounds only doubtful answers
# expect: wrong answers still reached the backoffice
# rule: 1.5/keeps-wrong-out
# Grounding is taken as the slow part and runs only for unsure answers: confident injections go out.


class GuardedAgent(GuardedAgent):
    def review(self, response, messages):
        parsed = parse_answer(response)
        if isinstance(parsed, ParseFailure):
            return str(parsed)
        if answer_confidence(response) >= CONFIDENCE_THRESHOLD:
            return parsed
        problems = grounding_problems(parsed, messages)
        return "; ".join(problems) if problems else parsed
