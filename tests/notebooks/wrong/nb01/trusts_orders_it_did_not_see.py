# Exercise 1.3 — trusts orders it did not see
# expect: which was never looked up
# rule: 1.3/status-looked-up
# Compares the status only when the order was looked up: a status for an order nobody looked up goes out.


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
        if order is not None and order["status"] != answer.status:
            problems.append(f"status {answer.status!r} contradicts get_order, which says {order['status']!r}")
    if answer.status == "not_found" and answer.order_id not in missing:
        problems.append(f"status 'not_found' for {answer.order_id!r}, but get_order did not report it missing")
    if answer.action == "refund":
        if order is None:
            problems.append(f"refund for order {answer.order_id!r}, which was never looked up")
        elif answer.refund_amount > float(order["total"]):
            problems.append(
                f"refund_amount {answer.refund_amount:.2f} is more than the order total {order['total']:.2f}"
            )
    return problems
