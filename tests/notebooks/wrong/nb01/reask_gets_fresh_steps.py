# Exercise 1.5 — reask gets fresh steps
# expect: then stop
# rule: 1.5/max-steps
# Starts the step budget again after the re-ask: max_steps no longer bounds the requests of one question.


class GuardedAgent(GuardedAgent):
    def ask(self, question, history=None):
        reply = self.start(question, history)
        threshold = CONFIDENCE_THRESHOLD if self.threshold is None else self.threshold
        reasks = 0
        steps = 0
        while steps < (self.max_steps or 12):
            steps += 1
            response = self.call_model(reply.messages)
            message = self.absorb(reply, response)
            if message.get("tool_calls"):
                for call in message["tool_calls"]:
                    reply.tool_calls += 1
                    reply.messages.append({"role": "tool", "tool_call_id": call["id"], "content": self.run_tool(call)})
                continue
            verdict = self.review(response, reply.messages)
            if isinstance(verdict, str):
                if reasks < self.max_reasks:
                    reasks += 1
                    reply.messages.append({"role": "user", "content": REASK.format(problem=verdict)})
                    steps = 0
                    continue
                return self.safe_path(reply, verdict)
            if answer_confidence(response) < threshold:
                return self.safe_path(reply, "low confidence")
            return self.accept(reply, verdict)
        return self.safe_path(reply, "too many steps")
