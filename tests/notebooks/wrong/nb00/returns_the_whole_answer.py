# Exercise 0.1 — the reply's answer sentence is not its status: "Order A1042 is shipped." != "shipped".
# expect: not the whole answer sentence
# rule: 0.1/returns-status


def ask_status(agent, order_id):
    return agent.ask(f"Where is my order {order_id}?").answer
