# Exercise 6.6 — composes everything but the input guard: a 40,000-token paste is sent as it is.
# expect: answered right
# rule: 6.6/input-bounded
class HardenedAgent(HardenedAgent):
    def ask(self, question, history=None):
        reply = self.start(question, history)
        reasked = False
        while reply.steps < (self.max_steps or 6):
            response = self.call_model(reply.messages)
            message = self.absorb(reply, response)
            if message.get("tool_calls"):
                for call in message["tool_calls"]:
                    reply.tool_calls += 1
                    reply.messages.append({"role": "tool", "tool_call_id": call["id"], "content": self.run_tool(call)})
                continue
            parsed = parse_answer(response)
            problem = (
                str(parsed)
                if isinstance(parsed, ParseFailure)
                else "; ".join(grounding_problems(parsed, reply.messages))
            )
            if problem and not reasked:
                reasked = True
                reply.messages.append({"role": "user", "content": REASK.format(problem=problem)})
                continue
            if problem:
                return self.safe_path(reply, problem)
            if answer_confidence(response) < CONFIDENCE_THRESHOLD:
                return self.safe_path(reply, "low confidence")
            return self.accept(reply, parsed)
        return self.safe_path(reply, "too many steps")
