# Exercise 1.5 — acts after failed reask
# expect: take the safe path
# rule: 1.5/reask-once
# After the one re-ask fails too, passes the answer on anyway ("the customer is waiting").


class GuardedAgent(GuardedAgent):
    def safe_path(self, reply, reason):
        if reason == "low confidence" or not reply.messages[-1].get("content"):
            return super().safe_path(reply, reason)
        return self.finish(reply, reply.messages[-1])
