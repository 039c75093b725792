# Exercise 0.1 — right status, wrong exercise: it never asks the agent.
# expect: answered without asking the agent
# rule: 0.1/asks-the-agent


def ask_status(agent, order_id):
    return agent.world.orders[order_id].status
