# Exercise 1.3 — refund rounded to dollars
# expect: on an order whose total is
# rule: 1.3/refund-within-total
# Compares whole dollars: a refund a few cents above the total passes.


def grounding_problems(answer, messages):
    results = tool_results(messages)
    docs = {d.get("id") for name, r in results if name == "search_policies" for d in r.get("results", [])}
    orders = {r["id"]: r for name, r in results if name == "get_order" and "id" in r}
    missing = {
        str(r.get("order_id", "")).strip().upper() for name, r in results if name == "get_order" and "error" in r
    }
    problems = [f"citation {c!r} is not a document the tools returned" for c in answer.citations if c not in docs]
    order = orders.get(answer.order_id)
    if answer.status in ORDER_STATUSES:
        if order is None:
            problems.append(f"status {answer.status!r} for order {answer.order_id!r}, which was never looked up")
        elif order["status"] != answer.status:
            problems.append(f"status {answer.status!r} contradicts get_order, which says {order['status']!r}")
    if answer.status == "not_found" and answer.order_id not in missing:
        problems.append(f"status 'not_found' for {answer.order_id!r}, but get_order did not report it missing")
    if answer.action == "refund":
        if order is None:
            problems.append(f"refund for order {answer.order_id!r}, which was never looked up")
        elif round(answer.refund_amount) > round(float(order["total"])):
            problems.append(
                f"refund_amount {answer.refund_amount:.2f} is more than the order total {order['total']:.2f}"
            )
    return problems
