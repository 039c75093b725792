"""weekfour.clock: simulated time that never blocks, and a virtual-time event loop."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from datetime import UTC, datetime, timedelta

import pytest

from weekfour.clock import DEFAULT_START, SimClock, days, hours, minutes, seconds


def test_default_start_is_a_monday_morning_in_utc() -> None:
    clock = SimClock()
    assert clock.now() == 0.0
    assert clock.datetime() == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert clock.datetime().weekday() == 0
    assert clock.time() == DEFAULT_START.timestamp()


def test_sleep_advances_and_moves_every_view_together() -> None:
    clock = SimClock()
    clock.sleep(8)
    clock.sleep(0.5)
    assert clock.now() == 8.5
    assert clock.time() == DEFAULT_START.timestamp() + 8.5
    assert clock.datetime() == DEFAULT_START + timedelta(seconds=8.5)


def test_negative_sleep_is_refused_with_a_hint() -> None:
    with pytest.raises(ValueError, match="negative"):
        SimClock().sleep(-1)


def test_advance_to_jumps_forward_and_never_back() -> None:
    clock = SimClock()
    clock.advance_to(100)
    assert clock.now() == 100
    clock.advance_to(50)
    assert clock.now() == 100


def test_naive_start_is_read_as_utc() -> None:
    clock = SimClock(datetime(2026, 1, 1, 12, 0))
    assert clock.datetime() == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_at_names_wall_clock_moments() -> None:
    clock = SimClock()  # 09:00 on day 0
    assert clock.at(day=0, hour=9) == 0
    assert clock.at(day=1, hour=2) == hours(17)
    assert clock.at(day=0, hour=2) == -hours(7)
    clock.advance_to(clock.at(day=1, hour=2))
    assert clock.datetime() == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def test_next_at_finds_the_coming_2am() -> None:
    clock = SimClock()
    assert clock.next_at(hour=2) == clock.at(day=1, hour=2)
    assert clock.next_at(hour=9) == 0  # inclusive of now
    clock.sleep(1)
    assert clock.next_at(hour=9) == clock.at(day=1, hour=9)


def test_duration_shorthands() -> None:
    assert (seconds(3), minutes(2), hours(2), days(1)) == (3.0, 120.0, 7200.0, 86400.0)


def test_run_gather_overlaps_sleeps() -> None:
    clock = SimClock()

    async def main() -> list[int]:
        async def work(i: int) -> int:
            await asyncio.sleep(2)
            return i

        return await asyncio.gather(*(work(i) for i in range(10)))

    assert clock.run(main()) == list(range(10))
    assert clock.now() == pytest.approx(2.0)


def test_run_semaphore_serialises_in_rounds() -> None:
    clock = SimClock()
    finished: list[float] = []

    async def main() -> None:
        sem = asyncio.Semaphore(3)

        async def work() -> None:
            async with sem:
                await asyncio.sleep(2)
            finished.append(clock.now())

        await asyncio.gather(*(work() for _ in range(10)))

    clock.run(main())
    assert clock.now() == pytest.approx(8.0)  # 10 jobs, 3 at a time: 4 rounds of 2 s
    assert sorted(round(t, 6) for t in finished) == [2.0] * 3 + [4.0] * 3 + [6.0] * 3 + [8.0]


def test_run_wait_for_times_out_at_the_deadline() -> None:
    clock = SimClock()

    async def main() -> str:
        try:
            await asyncio.wait_for(asyncio.sleep(30), timeout=5)
        except TimeoutError:
            return "timed out"
        return "finished"

    assert clock.run(main()) == "timed out"
    assert clock.now() == pytest.approx(5.0)


def test_run_asyncio_timeout_and_queue() -> None:
    clock = SimClock()

    async def main() -> list[tuple[int, float]]:
        queue: asyncio.Queue[int] = asyncio.Queue()
        seen: list[tuple[int, float]] = []

        async def producer() -> None:
            for i in range(3):
                await asyncio.sleep(1)
                await queue.put(i)

        async def consumer() -> None:
            for _ in range(3):
                item = await queue.get()
                seen.append((item, clock.now()))

        async with asyncio.timeout(10):
            await asyncio.gather(producer(), consumer())
        return seen

    seen = clock.run(main())
    assert [(i, round(t, 6)) for i, t in seen] == [(0, 1.0), (1, 2.0), (2, 3.0)]


def test_run_loop_time_is_the_clock() -> None:
    clock = SimClock()
    clock.sleep(42)

    async def main() -> float:
        return asyncio.get_running_loop().time()

    assert clock.run(main()) == 42


def test_run_propagates_exceptions() -> None:
    async def boom() -> None:
        await asyncio.sleep(1)
        raise RuntimeError("from the coroutine")

    with pytest.raises(RuntimeError, match="from the coroutine"):
        SimClock().run(boom())


def test_run_inside_a_running_loop_sets_it_aside_and_restores_it() -> None:
    # What a Jupyter kernel looks like: a real loop already runs in this thread.
    clock = SimClock()
    seen: list[asyncio.AbstractEventLoop] = []

    async def inner() -> float:
        seen.append(asyncio.get_running_loop())
        await asyncio.gather(*(asyncio.sleep(3) for _ in range(5)))
        return clock.now()

    async def kernel_cell() -> tuple[float, bool]:
        outer = asyncio.get_running_loop()
        result = clock.run(inner())
        return result, asyncio.get_running_loop() is outer

    result, restored = asyncio.run(kernel_cell())
    assert result == pytest.approx(3.0)
    assert restored
    assert seen and seen[0].time() == clock.now()  # the virtual loop ran it, not the outer one


def test_run_inside_a_running_loop_restores_it_when_the_coroutine_raises() -> None:
    clock = SimClock()

    async def boom() -> None:
        raise ValueError("inner")

    async def kernel_cell() -> bool:
        outer = asyncio.get_running_loop()
        with pytest.raises(ValueError, match="inner"):
            clock.run(boom())
        return asyncio.get_running_loop() is outer

    assert asyncio.run(kernel_cell())


def test_one_loop_reuses_one_loop_and_each_run_starts_clean() -> None:
    clock = SimClock()
    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")
    loops: list[asyncio.AbstractEventLoop] = []
    leftovers: list[str] = []

    async def leave_a_task() -> str:
        loops.append(asyncio.get_running_loop())
        seen = marker.get()
        marker.set("set by an earlier run")

        async def forever() -> None:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                leftovers.append("cancelled")
                raise

        asyncio.get_running_loop().create_task(forever())
        await asyncio.sleep(1)
        return seen

    with clock.one_loop():
        first = clock.run(leave_a_task())
        second = clock.run(leave_a_task())
    assert loops[0] is loops[1]
    assert loops[0].is_closed()
    assert (first, second) == ("unset", "unset")  # a fresh context per run, as asyncio.run gives
    assert leftovers == ["cancelled", "cancelled"]  # each run's leftover task is cancelled when it returns
    assert clock.now() == pytest.approx(2.0)  # the leftover's hour-long sleep never ran the clock on


def test_one_loop_serves_a_run_nested_in_a_running_coroutine_with_a_fresh_loop() -> None:
    clock = SimClock()

    async def inner() -> float:
        await asyncio.sleep(5)
        return clock.now()

    async def outer() -> float:
        return clock.run(inner())

    with clock.one_loop():
        assert clock.run(outer()) == pytest.approx(5.0)
        assert clock.run(inner()) == pytest.approx(10.0)


def test_asleep_inside_run_overlaps() -> None:
    clock = SimClock()

    async def main() -> None:
        await asyncio.gather(clock.asleep(4), clock.asleep(4), clock.asleep(1))

    clock.run(main())
    assert clock.now() == pytest.approx(4.0)


def test_asleep_outside_run_advances_without_real_waiting() -> None:
    clock = SimClock()

    async def main() -> None:
        await clock.asleep(3600)  # a real loop: must not wait an hour

    asyncio.run(main())
    assert clock.now() == 3600


def test_sync_sleep_inside_run_moves_loop_time() -> None:
    clock = SimClock()

    async def main() -> float:
        clock.sleep(5)
        await asyncio.sleep(1)
        return asyncio.get_running_loop().time()

    assert clock.run(main()) == pytest.approx(6.0)


def test_run_and_asleep_inside_a_real_jupyter_kernel() -> None:
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    cells = [
        "import asyncio\nfrom weekfour.clock import SimClock\nclock = SimClock()",
        "async def main():\n    await asyncio.gather(*(asyncio.sleep(2) for _ in range(10)))\n    return clock.now()\n"
        "print(clock.run(main()))",
        "await clock.asleep(3600)\nprint(clock.now())",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in cells])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    outputs = ["".join(o.get("text", "") for o in cell.outputs) for cell in nb.cells]
    assert outputs[1:] == ["2.0\n", "3602.0\n"]


def test_work_in_a_worker_thread_takes_no_simulated_time_even_with_timers_pending() -> None:
    # The async openai SDK detects the platform in a worker thread. While that real work runs, a pending timer must
    # not fire: otherwise the result would depend on how busy the machine is.
    clock = SimClock()
    release = threading.Event()

    def real_work() -> str:
        release.wait(5)
        return "done"

    async def main() -> tuple[float, float]:
        async def timer() -> float:
            await asyncio.sleep(3)
            return clock.now()

        async def worker() -> float:
            start = clock.now()
            asyncio.get_running_loop().call_later(0, lambda: None)
            threading.Timer(0.05, release.set).start()
            await asyncio.to_thread(real_work)
            return clock.now() - start

        at_timer, worked = await asyncio.gather(timer(), worker())
        return at_timer, worked

    timer_fired_at, worker_took = clock.run(main())
    assert worker_took == 0.0
    assert timer_fired_at == pytest.approx(3.0)
