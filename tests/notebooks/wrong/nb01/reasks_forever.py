# Exercise 1.5 — reasks forever
# expect: kept re-asking
# rule: 1.5/reask-once
# Re-asks until the answer validates: no bound, and every re-ask is a full, billed request.


class GuardedAgent(GuardedAgent):
    def ask(self, question, history=None):
        reply = self.start(question, history)
        while True:
            response = self.call_model(reply.messages)
            message = self.absorb(reply, response)
            if message.get("tool_calls"):
                for call in message["tool_calls"]:
                    reply.messages.append({"role": "tool", "tool_call_id": call["id"], "content": self.run_tool(call)})
                continue
            verdict = self.review(response, reply.messages)
            if isinstance(verdict, str):
                reply.messages.append({"role": "user", "content": REASK.format(problem=verdict)})
                continue
            if answer_confidence(response) < CONFIDENCE_THRESHOLD:
                return self.safe_path(reply, "low confidence")
            return self.accept(reply, verdict)
