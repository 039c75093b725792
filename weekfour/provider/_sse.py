"""A response body that spends simulated time as it is read: one SSE event per token, each at its own moment.

Reading the stream (``iter_lines()``, ``aiter_lines()``, the SDK's ``Stream``) advances the clock chunk by chunk, so
a consumer that looks at ``clock.now()`` between chunks sees time to first token and time per token as a person
watching the answer would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence

import httpx

from weekfour.clock import SimClock

__all__ = ["ClockedStream"]


class ClockedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """``(delay_s, bytes)`` pairs, yielded after waiting ``delay_s`` on the simulated clock."""

    def __init__(self, clock: SimClock, chunks: Sequence[tuple[float, bytes]]) -> None:
        self._clock = clock
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        for delay, data in self._chunks:
            if delay:
                self._clock.sleep(delay)
            yield data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for delay, data in self._chunks:
            if delay:
                await self._clock.asleep(delay)
            yield data

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass
