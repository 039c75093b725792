# Exercise 5.2 — ask is called with (question, model, prompt_version): every row is labelled with a pair it did not run.
# expect: pass ask its arguments in the documented order
# rule: 5.2/once-per-combo


def run_suite(cases, prompt_versions, models, ask):
    rows = []
    for version in prompt_versions:
        for model in models:
            for case in cases:
                reply, error = None, None
                try:
                    reply = ask(case.question, model, version)
                except Exception as exc:
                    error = type(exc).__name__
                rows.append(
                    {
                        "case": case.id,
                        "kind": case.kind,
                        "prompt_version": version,
                        "model": model,
                        "passed": passes(case, reply),
                        "expected": case.expect,
                        "got": None,
                        "error": error,
                    }
                )
    return pd.DataFrame(rows, columns=["case", "kind", "prompt_version", "model", "passed", "expected", "got", "error"])
