"""The simulated clock: every wait in the course goes through it, so a night of retries runs in milliseconds.

A :class:`SimClock` counts simulated seconds from a start moment (by default Monday 2026-03-02, 09:00 UTC)::

    clock = SimClock()
    clock.sleep(8)                      # an 8-second model call: returns at once, now() == 8.0
    clock.advance_to(clock.at(day=1, hour=2))   # jump to 2am the next night
    clock.datetime()                    # datetime(2026, 3, 3, 2, 0, tzinfo=UTC)

Async code runs on a *virtual-time* event loop bound to the clock (the ``looptime`` idea)::

    async def main():
        await asyncio.gather(*(asyncio.sleep(2) for _ in range(10)))

    clock.run(main())                   # takes milliseconds; clock.now() advanced by exactly 2.0

The loop's ``time()`` is the clock. Whenever every task waits on a timer, the loop jumps the clock to the next timer
instead of waiting, so ``asyncio.sleep``, ``asyncio.wait_for``/``asyncio.timeout``, ``Semaphore``, ``gather`` and
``Queue`` all overlap exactly as they would in real time. Inside a Jupyter kernel (where a loop already runs in the
thread) ``clock.run`` sets that loop aside while the virtual one runs. Code that calls ``run`` many times (a replay
of a month's page loads) wraps the calls in ``with clock.one_loop():`` to reuse one loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import selectors
from collections.abc import Callable, Coroutine, Iterator, Mapping
from concurrent.futures import Executor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, TypeVarTuple

if TYPE_CHECKING:
    from _typeshed import FileDescriptorLike

__all__ = ["DEFAULT_START", "SimClock", "days", "hours", "minutes", "seconds"]

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

DEFAULT_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


def seconds(n: float) -> float:
    """``n`` seconds, for symmetry with :func:`minutes`, :func:`hours` and :func:`days`."""
    return float(n)


def minutes(n: float) -> float:
    """``n`` minutes in seconds: ``clock.sleep(minutes(5))``."""
    return float(n) * 60.0


def hours(n: float) -> float:
    """``n`` hours in seconds: ``clock.sleep(hours(2))``."""
    return float(n) * 3600.0


def days(n: float) -> float:
    """``n`` days in seconds."""
    return float(n) * 86400.0


class SimClock:
    """Simulated time. ``now()`` is seconds since the start; nothing ever blocks."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is None:
            start = DEFAULT_START
        elif start.tzinfo is None:
            start = start.replace(tzinfo=UTC)  # a naive start is read as UTC
        self._start = start.astimezone(UTC)
        self._epoch0 = self._start.timestamp()
        self._t = 0.0
        self._runner: asyncio.Runner | None = None  # set inside one_loop()

    def __repr__(self) -> str:
        return f"SimClock(now={self._t:.3f}s, at={self.datetime().isoformat()})"

    # -- reading -----------------------------------------------------------------------------------------------
    @property
    def start(self) -> datetime:
        """The aware UTC moment simulated second 0 stands for."""
        return self._start

    def now(self) -> float:
        """Simulated seconds since the start."""
        return self._t

    def time(self) -> float:
        """Simulated Unix epoch seconds (like ``time.time()``)."""
        return self._epoch0 + self._t

    def datetime(self) -> datetime:
        """The simulated moment as an aware UTC datetime."""
        return self._start + timedelta(seconds=self._t)

    def at(self, *, day: int = 0, hour: int = 0, minute: int = 0, second: float = 0.0) -> float:
        """The simulated second of a wall-clock moment: ``at(day=1, hour=2)`` is 2am the night after the start day.

        ``day`` counts calendar days from the start date (day 0 is the start date itself). The result may be
        negative when the moment lies before the start (2am on day 0 of a 9am start).
        """
        midnight = self._start.replace(hour=0, minute=0, second=0, microsecond=0)
        moment = midnight + timedelta(days=day, hours=hour, minutes=minute, seconds=second)
        return (moment - self._start).total_seconds()

    def next_at(self, *, hour: int, minute: int = 0) -> float:
        """The next simulated second (from now, inclusive) at which the wall clock shows ``hour:minute``."""
        day = int(self._t // 86400.0) - 1
        while True:
            t = self.at(day=day, hour=hour, minute=minute)
            if t >= self._t:
                return t
            day += 1

    # -- moving ------------------------------------------------------------------------------------------------
    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds``; returns at once."""
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time ({seconds!r} s); pass a duration of 0 or more")
        self._t += float(seconds)

    def advance_to(self, t: float) -> None:
        """Jump forward to simulated second ``t``. Time never runs backwards: a ``t`` already past is a no-op."""
        if t > self._t:
            self._t = float(t)

    async def asleep(self, seconds: float) -> None:
        """``asyncio.sleep`` inside :meth:`run` (tasks overlap); elsewhere advance the clock and yield once."""
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time ({seconds!r} s); pass a duration of 0 or more")
        loop = asyncio.get_running_loop()
        if isinstance(loop, _VirtualLoop) and loop.sim_clock is self:
            await asyncio.sleep(seconds)
        else:
            self._t += float(seconds)
            await asyncio.sleep(0)

    # -- running async code ------------------------------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` to completion on a virtual-time event loop bound to this clock and return its result.

        Like ``asyncio.run``: a fresh context, and tasks the coroutine leaves behind are cancelled when it returns.
        Inside a running loop (a Jupyter kernel runs one in its thread) that loop is set aside for the call: it is
        paused anyway, since the caller waits for the result.
        """
        outer = asyncio._get_running_loop()
        if outer is None:
            return self._run_here(coro)
        asyncio._set_running_loop(None)
        try:
            return self._run_here(coro)
        finally:
            asyncio._set_running_loop(outer)

    @contextmanager
    def one_loop(self) -> Iterator[None]:
        """Within the block, :meth:`run` reuses one event loop instead of making one per call.

        A replay calls ``run`` once per page load; a new loop each time (a selector, a self-pipe, a thread pool's
        bookkeeping) costs about as much as a short coroutine itself. Each call still gets a fresh context and its
        leftover tasks cancelled, so nothing carries over from one call to the next but the loop object.
        """
        if self._runner is not None:  # nested: the outer block's loop serves
            yield
            return
        runner = asyncio.Runner(loop_factory=lambda: _VirtualLoop(self))
        self._runner = runner
        try:
            yield
        finally:
            self._runner = None
            outer = asyncio._get_running_loop()
            asyncio._set_running_loop(None)
            try:
                runner.close()
            finally:
                asyncio._set_running_loop(outer)

    def _run_here(self, coro: Coroutine[Any, Any, T]) -> T:
        runner = self._runner
        if runner is None or runner.get_loop().is_running():  # no block, or run() nested in a running coroutine
            return self._fresh(coro)
        try:
            return runner.run(coro, context=contextvars.copy_context())
        finally:
            _cancel_leftovers(runner.get_loop())

    def _fresh(self, coro: Coroutine[Any, Any, T]) -> T:
        with asyncio.Runner(loop_factory=lambda: _VirtualLoop(self)) as runner:
            return runner.run(coro)


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks a coroutine left on ``loop`` and let them finish, as ``asyncio.run`` does before closing."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not pending:
        return
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


class _VirtualSelector(selectors.BaseSelector):
    """Wraps the loop's selector: a wait on timers advances the clock instead of blocking."""

    def __init__(self, inner: selectors.BaseSelector, clock: SimClock) -> None:
        self._inner = inner
        self._clock = clock
        self.threads_in_flight = 0  # executor jobs (asyncio.to_thread) that have not reported back yet

    def register(self, fileobj: FileDescriptorLike, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(self, fileobj: FileDescriptorLike, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def get_map(self) -> Mapping[FileDescriptorLike, selectors.SelectorKey]:
        return self._inner.get_map()

    def close(self) -> None:
        self._inner.close()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = self._inner.select(0)
        if events or timeout == 0:
            return events
        if timeout is None or self.threads_in_flight:
            # Nothing scheduled, or a worker thread is still busy (the openai SDK runs platform detection in one):
            # wait for real until it reports back (call_soon_threadsafe wakes us). Jumping the clock now would let
            # timers fire "during" real work and make runs depend on the machine's load.
            return self._inner.select(None)
        self._clock.sleep(max(timeout, 0.0))
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _VirtualLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose ``time()`` is a :class:`SimClock`."""

    def __init__(self, clock: SimClock) -> None:
        self.sim_clock = clock
        self._virtual_selector = _VirtualSelector(selectors.DefaultSelector(), clock)
        super().__init__(self._virtual_selector)

    def time(self) -> float:
        return self.sim_clock.now()

    def run_in_executor(self, executor: Executor | None, func: Callable[[*Ts], T], *args: *Ts) -> asyncio.Future[T]:
        selector = self._virtual_selector
        selector.threads_in_flight += 1
        future = super().run_in_executor(executor, func, *args)

        def reported(_: asyncio.Future[T]) -> None:
            selector.threads_in_flight -= 1

        future.add_done_callback(reported)
        return future
