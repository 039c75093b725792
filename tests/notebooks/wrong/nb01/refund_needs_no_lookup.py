# Exercise 1.3 — refund needs no lookup
# expect: which was never looked up
# rule: 1.3/refund-looked-up
# Checks the amount when it can, and lets a refund for an order nobody looked up through.


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
        if order is not None and answer.refund_amount > float(order["total"]):
            problems.append(
                f"refund_amount {answer.refund_amount:.2f} is more than the order total {order['total']:.2f}"
            )
    return problems
