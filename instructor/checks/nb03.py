"""Hidden checks of notebook 03: run only when grading, never by ``check()``, and never shipped to learners
(``python -m grader template`` leaves ``instructor/`` out).

They add unseen inputs (other seeds, other scenarios) to the public checks of ``grader/checks/nb03.py``, whose ``RULES``
they name and whose helpers they import; they never hold a rule the public checks skip.
"""

from __future__ import annotations

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks.nb03 import (
    _QUESTIONS,
    _cache,
    _capped,
    _check_summary,
    _counts,
    _errors_in_slots,
    _percentile_matches,
    _shared_by_workers,
    _stream_from_the_provider,
)

__all__ = [
    "fan_out_on_unseen_batches",
    "many_workers_through_an_outage",
    "percentile_and_summary_on_unseen_logs",
    "replays_an_unseen_day_of_questions",
    "streams_other_answers",
]


@exercise("3.1", points=1, hidden=True, rules=["3.1/linear-interpolation", "3.1/summary-ok-latency-only"])
def percentile_and_summary_on_unseen_logs(ns: Namespace) -> None:
    percentile = ns.function("percentile")
    latency_summary = ns.function("latency_summary")
    rng = ns.rng
    for _ in range(3):
        values = [round(rng.uniform(0, 60), rng.choice([0, 2])) for _ in range(rng.randint(50, 400))]
        _percentile_matches(percentile, values, [rng.uniform(0, 100) for _ in range(4)])
    kinds: list[int | str] = [*([200] * 5), 429, 503, "timeout"]
    statuses = [rng.choice(kinds) for _ in range(rng.randint(80, 200))]
    statuses += [200]
    _check_summary(latency_summary, statuses, rng)


@exercise("3.2", points=2, hidden=True, rules=["3.2/one-worker-per-job", "3.2/retry-requeues"])
def many_workers_through_an_outage(ns: Namespace) -> None:
    jobs = ns.rng.randint(10, 30)
    _shared_by_workers(ns, ns.rng.randint(3, 6), jobs, ns.rng.randint(1, jobs // 3))


@exercise("3.3", points=1, hidden=True, rules=["3.3/reads-as-it-arrives", "3.3/ttft-on-the-clock"])
def streams_other_answers(ns: Namespace) -> None:
    _stream_from_the_provider(ns, jitter=0.3)


@exercise("3.4", points=1, hidden=True, rules=["3.4/at-most-cap", "3.4/keeps-order", "3.4/timeout-per-call"])
def fan_out_on_unseen_batches(ns: Namespace) -> None:
    rng = ns.rng
    n, limit = rng.randint(20, 60), rng.randint(2, 12)
    _capped(ns, n, limit, [rng.choice([0.25, 0.5, 1.0, 2.0]) for _ in range(n)])
    _errors_in_slots(ns, n, limit, rng.randint(1, n // 4))


@exercise("3.5", points=1, hidden=True, rules=["3.5/hit-when-fresh", "3.5/stale-at-ttl", "3.5/normalised-key"])
def replays_an_unseen_day_of_questions(ns: Namespace) -> None:
    rng = ns.rng
    ttl, delay = float(rng.randint(30, 300)), rng.randint(0, 8) / 4
    cache, clock, model = _cache(ns, ttl, delay=delay)
    entries: dict[str, tuple[float, str]] = {}
    hits = misses = 0
    for _ in range(rng.randint(40, 120)):
        clock.sleep(rng.randint(0, int(ttl // 2)))
        question = rng.choice(_QUESTIONS)
        asked = rng.choice([question, question.upper(), f"  {question}  ", question.replace(" ", "  ")])
        key = " ".join(asked.split()).casefold()
        entry = entries.get(key)
        got = clock.run(cache.ask(asked))
        if entry is not None and clock.now() - entry[0] < ttl:
            hits += 1
            want = entry[1]
        else:
            misses += 1
            want = f"answer #{len(model.calls)}"
            entries[key] = (clock.now(), want)
        if got != want:
            raise CheckFailed(
                f"The cache answered {asked!r} wrongly at simulated second {clock.now():.0f} (ttl {ttl:g} s).",
                expected=want,
                got=got,
            )
    _counts(cache, hits, misses, f"{hits + misses} lookups")
