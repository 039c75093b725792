"""How fast the day-three agent runs against the mocked provider: questions/s and mocked requests/s.

The capstone replays a month of traffic, so the target is at least 2,000 mocked requests per second through the
agent's own httpx client. Run: ``python benchmarks/bench_agent.py`` (or ``make bench``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import httpx

from weekfour import scenarios
from weekfour.sandbox import Sandbox, sandbox
from weekfour.traffic import DEFAULT_MIX

TARGET_REQUESTS_PER_S = 2_000
ROUNDS = 3


def _best_of(run: Callable[[], tuple[int, int]]) -> tuple[float, int, int]:
    """Median wall seconds of ROUNDS runs, and the (questions, requests) one run makes."""
    times = []
    counts = (0, 0)
    for _ in range(ROUNDS):
        start = time.perf_counter()
        counts = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), *counts


def _agent_traffic(make: Callable[[], Sandbox], n: int, mix: dict[str, float] | None) -> Callable[[], tuple[int, int]]:
    def run() -> tuple[int, int]:
        sb = make()
        agent = sb.agent(max_steps=20)
        qs = sb.questions(n, seed=1, mix=mix)
        for q in qs:
            try:
                agent.ask(q.text)
            except httpx.HTTPError:
                pass
            sb.clock.sleep(30.0)  # questions arrive spread out over simulated time
        return len(qs), len(sb.log)

    return run


def _raw_requests(n: int) -> Callable[[], tuple[int, int]]:
    def run() -> tuple[int, int]:
        sb = sandbox()
        client = sb.client()
        body = {"model": "wf-chat", "messages": [{"role": "user", "content": "What is your return policy?"}]}
        for _ in range(n):
            client.post("/chat/completions", json=body).raise_for_status()
        return 0, n

    return run


def main() -> None:
    no_paste = {k: v for k, v in DEFAULT_MIX.items() if k != "long_paste"}
    cases = [
        ("raw POST /chat/completions (no agent)", _raw_requests(2_000)),
        ("agent, happy, mixed questions", _agent_traffic(sandbox, 1_000, no_paste)),
        ("agent, happy, with 40k-token pastes", _agent_traffic(sandbox, 300, dict(DEFAULT_MIX))),
        (
            "agent, production_month (max_steps=20)",
            _agent_traffic(lambda: sandbox(scenarios.production_month()), 1_000, no_paste),
        ),
    ]
    print(f"{'case':<44} {'questions/s':>12} {'requests/s':>12} {'requests':>9} {'seconds':>8}")
    worst = float("inf")
    for name, run in cases:
        seconds, n_questions, n_requests = _best_of(run)
        q_rate = n_questions / seconds if n_questions else float("nan")
        r_rate = n_requests / seconds
        if n_questions:
            worst = min(worst, r_rate)
        print(f"{name:<44} {q_rate:>12,.0f} {r_rate:>12,.0f} {n_requests:>9,} {seconds:>8.2f}")
    verdict = "meets" if worst >= TARGET_REQUESTS_PER_S else "MISSES"
    print(f"slowest agent case: {worst:,.0f} mocked requests/s ({verdict} the {TARGET_REQUESTS_PER_S:,}/s target)")


if __name__ == "__main__":
    main()
