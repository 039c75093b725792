"""How long the notebooks' widgets take to answer a change, printed as figures (no assertions).

Notebook 04's FaultExplorer (a change of failure mode), and notebook 06's DayExplorer (a move of the day slider).

Run ``python benchmarks/bench_widgets.py``. A FaultExplorer change used to replay the night with only that fault
(150 customers on a fresh sandbox) and draw the timeline, every time: "replay + draw" below. Now each mode is replayed
once and its table and timeline are kept, and the widget replays the other modes in the background once it shows
(only between cells): a change then costs "kept". A DayExplorer move recomputes the day's table from the runs. Aim:
under 0.5 s a change. Each figure is one change made in a real kernel (as the widget's callback does), from the
request to the kernel going idle; the browser's drawing is not included.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from jupyter_client.manager import start_new_kernel

SETUP = """
import matplotlib
from IPython.display import display
from weekfour.labs import fallbacks
fallbacks.plot_timeline()  # matplotlib warmed, as the notebook has it by then
explorer = fallbacks.FaultExplorer(precompute={precompute})
display(explorer.widget())
"""


def _run(client: Any, code: str) -> float:
    start = time.perf_counter()
    reply = client.execute_interactive(code, timeout=300, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(reply["content"])
    return time.perf_counter() - start


def _changes(precompute: bool) -> tuple[float, dict[str, float], float]:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        shown = _run(client, SETUP.format(precompute=precompute))
        if precompute:
            _run(client, "explorer.finish_warming()")  # a cell: the background would otherwise wait for it to end
        modes = ["429 storm at 02:00", "503 outage at 03:00", "timeouts at 04:00", "quota exhausted at 04:30"]
        changes = {mode: _run(client, f"explorer._dropdown.value = {mode!r}") for mode in modes}
        back = _run(client, "explorer._dropdown.value = 'the whole night'")
        return shown, changes, back
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


DAY_SETUP = """
from IPython.display import display
from weekfour.labs.week_four import DayExplorer, month_sandbox, month_traffic, naive_deployment, replay
sb = month_sandbox(seed=2)
naive = replay(sb, naive_deployment(sb), month_traffic(sb, n=600, seed=2))
days = DayExplorer(naive, naive, day=1)  # two columns, as notebook 06 shows them
display(days.widget())
slider = days.widget().children[0]
"""


def _day_changes() -> list[float]:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        _run(client, DAY_SETUP)
        return [_run(client, f"slider.value = {day}") for day in (2, 10, 15, 21, 30)]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main() -> None:
    print("FaultExplorer in a kernel: one change of failure mode (150 customers per replay)")
    shown_cold, cold, back_cold = _changes(precompute=False)
    shown_warm, warm, back_warm = _changes(precompute=True)
    print(f"  {'mode':<28} {'replay + draw (s)':>18} {'kept (s)':>9}")
    for mode in cold:
        print(f"  {mode:<28} {cold[mode]:>18.2f} {warm[mode]:>9.3f}")
    before, after = statistics.median(cold.values()), statistics.median(warm.values())
    print(f"  median change: {before:.2f} s replayed, {after:.3f} s kept")
    print(f"  back to a mode already seen: {back_cold:.3f} s / {back_warm:.3f} s")
    print(f"  the widget first shows in {shown_cold:.2f} s (the whole night replayed; imports included)")
    moves = _day_changes()
    print("DayExplorer in a kernel: one move of the day slider (notebook 06's month, two runs side by side)")
    print(f"  median move: {statistics.median(moves):.3f} s, slowest {max(moves):.3f} s (days 2, 10, 15, 21, 30)")


if __name__ == "__main__":
    main()
