# Exercise 5.2 — a failed call becomes an empty reply, and an empty reply "did not refund": the case passes.
# expect: where no refund is owed
# rule: 5.2/none-fails


def passes(case, reply):
    data, expect = (reply.data if reply is not None else {}), case.expect
    if "status" in expect and data.get("status") != expect["status"]:
        return False
    if "refund" in expect and (data.get("action") == "refund") != expect["refund"]:
        return False
    if "amount" in expect and abs(float(data.get("refund_amount") or 0.0) - expect["amount"]) > 0.005:
        return False
    if "citations" in expect and not set(expect["citations"]) <= set(data.get("citations") or []):
        return False
    return True
