# Exercise 0.1 — passes the one example the learner tried by hand, and nothing else.
# expect: answered without asking the agent
# rule: 0.1/asks-the-agent


def ask_status(agent, order_id):
    return "delivered"
