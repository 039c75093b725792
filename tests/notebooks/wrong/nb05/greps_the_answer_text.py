# Exercise 5.2 — the assertion searches the answer text, which in week six still has the right words around broken JSON.
# expect: has the wrong verdict
# rule: 5.2/parsed-not-text


def passes(case, reply):
    if reply is None:
        return False
    text = reply.answer.lower()
    if "status" in case.expect and case.expect["status"] not in text:
        return False
    if "citations" in case.expect and not all(doc in text for doc in case.expect["citations"]):
        return False
    if case.expect.get("refund") and "refund" not in text:
        return False
    return True
