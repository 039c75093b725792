# Exercise 5.2 — the status is compared only when the parser found one: the week-six empty status passes.
# expect: the parsed status is empty
# rule: 5.2/status


def passes(case, reply):
    if reply is None:
        return False
    data, expect = reply.data, case.expect
    if "status" in expect and data.get("status") and data["status"] != expect["status"]:
        return False
    if "refund" in expect and (data.get("action") == "refund") != expect["refund"]:
        return False
    if "amount" in expect and abs(float(data.get("refund_amount") or 0.0) - expect["amount"]) > 0.005:
        return False
    if "citations" in expect and not set(expect["citations"]) <= set(data.get("citations") or []):
        return False
    return True
