# Exercise 5.2 — only an owed refund is checked: a refund nobody owed (refund: False) passes the suite.
# expect: refund: False)
# rule: 5.2/refund


def passes(case, reply):
    if reply is None:
        return False
    data, expect = reply.data, case.expect
    if "status" in expect and data.get("status") != expect["status"]:
        return False
    if expect.get("refund") and data.get("action") != "refund":
        return False
    if "amount" in expect and abs(float(data.get("refund_amount") or 0.0) - expect["amount"]) > 0.005:
        return False
    if "citations" in expect and not set(expect["citations"]) <= set(data.get("citations") or []):
        return False
    return True
