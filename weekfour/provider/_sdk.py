"""The official ``openai`` SDK clients, with their retry waits on the simulated clock.

The SDK sleeps between retries (``time.sleep`` / ``anyio.sleep``) for ``retry-after-ms``, ``retry-after`` or its own
exponential backoff (0.5 s doubling to 8 s, minus up to 25% jitter). These subclasses keep those exact rules but
spend the wait on the :class:`~weekfour.clock.SimClock`, with jitter drawn from a seeded generator, so a night of
SDK retries costs no real time and replays identically.
"""

from __future__ import annotations

import math
import random
from typing import Any

import httpx
import httpx2  # the SDK's own transport types; with an httpx client (ours) it hands back httpx responses
import openai
from openai._constants import INITIAL_RETRY_DELAY, MAX_RETRY_AFTER_DELAY, MAX_RETRY_DELAY

from weekfour.clock import SimClock

__all__ = ["SimAsyncOpenAI", "SimOpenAI"]


def _retry_wait(client: Any, retries_taken: int, response: Any, rng: random.Random) -> float:
    headers = response.headers if response is not None else None
    retry_after = client._parse_retry_after_header(headers)
    if retry_after is not None and math.isfinite(retry_after) and 0 < retry_after <= MAX_RETRY_AFTER_DELAY:
        return float(retry_after)
    backoff = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, 1000), MAX_RETRY_DELAY)
    return backoff * (1 - 0.25 * rng.random())


class SimOpenAI(openai.OpenAI):
    """``openai.OpenAI`` whose retry backoff advances a :class:`SimClock` instead of sleeping."""

    def __init__(self, *, sim_clock: SimClock, sim_seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sim_clock = sim_clock
        self._sim_rng = random.Random(f"sdk-retry:{sim_seed}")

    def _sleep_for_retry(
        self, *, retries_taken: int, max_retries: int, options: Any, response: httpx.Response | httpx2.Response | None
    ) -> None:
        self.sim_clock.sleep(_retry_wait(self, retries_taken, response, self._sim_rng))


class SimAsyncOpenAI(openai.AsyncOpenAI):
    """``openai.AsyncOpenAI`` whose retry backoff waits on the simulated clock."""

    def __init__(self, *, sim_clock: SimClock, sim_seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sim_clock = sim_clock
        self._sim_rng = random.Random(f"sdk-retry:{sim_seed}")

    async def _sleep_for_retry(
        self, *, retries_taken: int, max_retries: int, options: Any, response: httpx.Response | httpx2.Response | None
    ) -> None:
        await self.sim_clock.asleep(_retry_wait(self, retries_taken, response, self._sim_rng))
