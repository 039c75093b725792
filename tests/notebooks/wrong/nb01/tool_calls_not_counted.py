# Exercise 1.5 — tool calls not counted
# expect: run the model's tool calls and count them
# rule: 1.5/tools
# Runs the tools but never counts them: reply.tool_calls stays 0 and the cost dashboards under-report.


class GuardedAgent(GuardedAgent):
    def ask(self, question, history=None):
        reply = self.start(question, history)
        threshold = CONFIDENCE_THRESHOLD if self.threshold is None else self.threshold
        reasks = 0
        for _ in range(self.max_steps or 12):
            response = self.call_model(reply.messages)
            message = self.absorb(reply, response)
            if message.get("tool_calls"):
                for call in message["tool_calls"]:
                    reply.messages.append({"role": "tool", "tool_call_id": call["id"], "content": self.run_tool(call)})
                continue
            verdict = self.review(response, reply.messages)
            if isinstance(verdict, str):
                if reasks < self.max_reasks:
                    reasks += 1
                    reply.messages.append({"role": "user", "content": REASK.format(problem=verdict)})
                    continue
                return self.safe_path(reply, verdict)
            if answer_confidence(response) < threshold:
                return self.safe_path(reply, "low confidence")
            return self.accept(reply, verdict)
        return self.safe_path(reply, "too many steps")
