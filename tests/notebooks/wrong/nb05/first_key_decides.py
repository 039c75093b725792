# Exercise 5.2 — the verdict returns on the first key it checks: a right status with an unowed refund passes.
# expect: Every key of case.expect must hold
# rule: 5.2/every-key


def passes(case, reply):
    if reply is None:
        return False
    data, expect = reply.data, case.expect
    if "status" in expect:
        return data.get("status") == expect["status"]
    if "refund" in expect and (data.get("action") == "refund") != expect["refund"]:
        return False
    if "amount" in expect and abs(float(data.get("refund_amount") or 0.0) - expect["amount"]) > 0.005:
        return False
    if "citations" in expect and not set(expect["citations"]) <= set(data.get("citations") or []):
        return False
    return True
