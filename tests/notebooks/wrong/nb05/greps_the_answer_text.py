# exercise: 5.2
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# The assertion searches the answer text, which in week six still contains the right words around broken JSON.


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
