# Exercise 6.6 — treats a confidence exactly on the threshold as too low.
# expect: exactly on the threshold
# rule: 6.6/low-confidence-safe-path
class HardenedAgent(HardenedAgent):
    def ask(self, question: str, history: list[dict[str, Any]] | None = None) -> Reply:
        text, notice = guard_input(question, max_tokens=self.max_input_tokens)
        reply = self.start(text, history)
        reasked = False
        while reply.steps < (self.max_steps or 6):
            response = self.call_model(reply.messages)  # provider failures raise: the fallback chain moves on
            message = self.absorb(reply, response)
            if message.get("tool_calls"):
                for call in message["tool_calls"]:
                    reply.tool_calls += 1
                    reply.messages.append({"role": "tool", "tool_call_id": call["id"], "content": self.run_tool(call)})
                continue
            parsed = parse_answer(response)
            if isinstance(parsed, ParseFailure):
                problem = str(parsed)
            else:
                problem = "; ".join(grounding_problems(parsed, reply.messages))
            if problem and not reasked:
                reasked = True
                reply.messages.append({"role": "user", "content": REASK.format(problem=problem)})
                continue
            if problem:
                return self.safe_path(reply, problem)
            if answer_confidence(response) <= CONFIDENCE_THRESHOLD:
                return self.safe_path(reply, "low confidence")
            reply = self.accept(reply, parsed)
            if notice:
                reply.answer = f"{notice}\n\n{reply.answer}"
            return reply
        return self.safe_path(reply, f"stopped after {reply.steps} model calls")
