# Exercise 5.2 — amounts "within a cent" are equal: 12.348 passes for 12.34, a different cent on the customer's bank.
# expect: off the owed amount (a different cent)
# rule: 5.2/amount


def passes(case, reply):
    if reply is None:
        return False
    data, expect = reply.data, case.expect
    if "status" in expect and data.get("status") != expect["status"]:
        return False
    if "refund" in expect and (data.get("action") == "refund") != expect["refund"]:
        return False
    if "amount" in expect and abs(float(data.get("refund_amount") or 0.0) - expect["amount"]) >= 0.01:
        return False
    if "citations" in expect and not set(expect["citations"]) <= set(data.get("citations") or []):
        return False
    return True
