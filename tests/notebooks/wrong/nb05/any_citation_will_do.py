# Exercise 5.2 — one of the expected documents is enough: a policy answer citing half its sources passes.
# expect: citations missing one of the expected documents
# rule: 5.2/citations


def passes(case, reply):
    if reply is None:
        return False
    data, expect = reply.data, case.expect
    if "status" in expect and data.get("status") != expect["status"]:
        return False
    if "refund" in expect and (data.get("action") == "refund") != expect["refund"]:
        return False
    if "amount" in expect and abs(float(data.get("refund_amount") or 0.0) - expect["amount"]) > 0.005:
        return False
    if "citations" in expect and not any(doc in (data.get("citations") or []) for doc in expect["citations"]):
        return False
    return True
