# The reply's answer sentence is not its status: "Order A1042 is shipped." != "shipped".
def ask_status(agent, order_id):
    return agent.ask(f"Where is my order {order_id}?").answer
