# Exercise 1.3 — any order will do
# expect: which was never looked up
# rule: 1.3/status-matches, 1.3/status-looked-up
# The status only has to match some get_order result in the conversation, not the order the answer is about.


def grounding_problems(answer, messages):
    results = tool_results(messages)
    docs = {d.get("id") for name, r in results if name == "search_policies" for d in r.get("results", [])}
    statuses = {r.get("status") for name, r in results if name == "get_order" and "id" in r}
    totals = {r["id"]: r["total"] for name, r in results if name == "get_order" and "id" in r}
    problems = [f"citation {c!r} was not returned" for c in answer.citations if c not in docs]
    if answer.status in ORDER_STATUSES and answer.status not in statuses:
        problems.append(f"status {answer.status!r} for {answer.order_id} is not what get_order returned")
    if answer.action == "refund" and answer.refund_amount > max(totals.values(), default=0.0):
        problems.append(f"refund_amount {answer.refund_amount} is more than the order total")
    return problems
