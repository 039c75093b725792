# Exercise 0.1 — capitalises the status for display: "Shipped" is not the lower-case "shipped".
# expect: lower-case
# rule: 0.1/lower-case-str
def ask_status(agent, order_id):
    return agent.ask(f"Where is my order {order_id}?").status.capitalize()
