"""How fast the capstone's month replays, printed as figures (no assertions).

Run ``python benchmarks/bench_week_four.py``. It replays the 30-day production month (every failure mode at once)
against the day-three agent at two sizes: a small shop's month (1,000 page loads; notebook 06 replays 500) and a
busier month (8,000 page loads, tens of thousands of model requests), and prints the requests sent to both providers
and the wall time.
"""

from __future__ import annotations

import time

from weekfour.labs.week_four import month_sandbox, month_traffic, naive_deployment, replay

SIZES = (1_000, 8_000)


def main() -> None:
    print(f"{'page loads':>10} {'requests':>9} {'seconds':>8} {'requests/s':>11}")
    for n in SIZES:
        sb = month_sandbox(seed=0)
        visits = month_traffic(sb, n=n, seed=0)
        start = time.perf_counter()
        replay(sb, naive_deployment(sb), visits)
        seconds = time.perf_counter() - start
        requests = len(sb.log) + len(sb.backup.log)
        print(f"{n:>10,} {requests:>9,} {seconds:>8.1f} {requests / seconds:>11,.0f}", flush=True)


if __name__ == "__main__":
    main()
