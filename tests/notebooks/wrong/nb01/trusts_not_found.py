# Exercise 1.3 — trusts not found
# expect: status 'not_found' for
# rule: 1.3/not-found-reported
# 'not_found' is not an order status, so it is never checked: the model can lose any order it likes.


def grounding_problems(answer, messages):
    results = tool_results(messages)
    docs = {d.get("id") for name, r in results if name == "search_policies" for d in r.get("results", [])}
    orders = {r["id"]: r for name, r in results if name == "get_order" and "id" in r}
    problems = [f"citation {c!r} is not a document the tools returned" for c in answer.citations if c not in docs]
    order = orders.get(answer.order_id)
    if answer.status in ORDER_STATUSES:
        if order is None:
            problems.append(f"status {answer.status!r} for order {answer.order_id!r}, which was never looked up")
        elif order["status"] != answer.status:
            problems.append(f"status {answer.status!r} contradicts get_order, which says {order['status']!r}")
    if answer.action == "refund":
        if order is None:
            problems.append(f"refund for order {answer.order_id!r}, which was never looked up")
        elif answer.refund_amount > float(order["total"]):
            problems.append(
                f"refund_amount {answer.refund_amount:.2f} is more than the order total {order['total']:.2f}"
            )
    return problems
