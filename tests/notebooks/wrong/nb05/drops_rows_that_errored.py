# Exercise 5.2 — errors are skipped instead of counted: the suite reports fewer cases and a rosier pass rate.
# expect: run_suite should ask once per case x prompt version x model
# rule: 5.2/error-row, 5.2/once-per-combo


def run_suite(cases, prompt_versions, models, ask):
    rows = []
    for version in prompt_versions:
        for model in models:
            for case in cases:
                try:
                    reply = ask(case.question, version, model)
                except Exception:
                    continue
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
    return pd.DataFrame(rows, columns=["case", "kind", "prompt_version", "model", "passed", "expected", "got", "error"])
