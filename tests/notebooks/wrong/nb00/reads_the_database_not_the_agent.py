# Right status, wrong exercise: it never asks the agent.
def ask_status(agent, order_id):
    return agent.world.orders[order_id].status
