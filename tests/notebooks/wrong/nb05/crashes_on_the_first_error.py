# exercise: 5.2
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# One 400 or timeout aborts the whole suite, so nobody sees the other results.


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
