# Exercise 5.2 — every row's `got` is left empty: a failed row shows what was expected but not what the model said.
# expect: should record in `got` the parsed fields the verdict read
# rule: 5.2/columns


def run_suite(cases, prompt_versions, models, ask):
    rows = []
    for version in prompt_versions:
        for model in models:
            for case in cases:
                reply, error = None, None
                try:
                    reply = ask(case.question, version, model)
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
