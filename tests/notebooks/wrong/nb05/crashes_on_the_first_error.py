# Exercise 5.2 — one 400 or timeout aborts the whole suite, so nobody sees the other results.
# expect: run_suite crashed when one call raised
# rule: 5.2/error-row


def run_suite(cases, prompt_versions, models, ask):
    rows = []
    for version in prompt_versions:
        for model in models:
            for case in cases:
                reply = ask(case.question, version, model)
                rows.append(
                    {
                        "case": case.id,
                        "kind": case.kind,
                        "prompt_version": version,
                        "model": model,
                        "passed": passes(case, reply),
                        "expected": case.expect,
                        "got": reply.data,
                        "error": None,
                    }
                )
    return pd.DataFrame(rows)
