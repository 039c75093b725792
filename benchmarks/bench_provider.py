"""How many mocked Chat Completions requests per second the provider serves (wall-clock figures, printed).

    .venv/bin/python benchmarks/bench_provider.py [--n 3000]

Paths measured: the core (``MockProvider.handle``), a plain ``httpx.Client`` on the provider's transport (the target
is 2,000/s or more), the same client streaming, the official ``openai`` SDK, and the async client on the virtual loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable

import httpx

from weekfour.provider import BASE_URL, EchoModel, MockProvider

BODY = {
    "model": "wf-chat",
    "messages": [
        {"role": "system", "content": "You are the support assistant of a small online shop. Be brief."},
        {"role": "user", "content": "Where is my order A-1043? It was due on Monday."},
    ],
    "max_completion_tokens": 200,
}
HEADERS = {"Authorization": "Bearer sk-weekfour-test", "content-type": "application/json"}


def rate(label: str, n: int, fn: Callable[[], None]) -> float:
    fn()  # warm up caches and imports
    start = time.perf_counter()
    for _ in range(n):
        fn()
    elapsed = time.perf_counter() - start
    per_s = n / elapsed
    print(f"{label:<44} {per_s:>9,.0f} req/s   {elapsed / n * 1e6:>7.0f} µs/req")
    return per_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="requests per measurement")
    n = parser.parse_args().n
    raw = json.dumps(BODY).encode()

    core = MockProvider(EchoModel())
    request = httpx.Request("POST", f"{BASE_URL}/chat/completions", content=raw, headers=HEADERS)
    rate("core: provider.handle(request)", n, lambda: core.handle(request))

    plain = MockProvider(EchoModel())
    client = plain.client()
    figure = rate("httpx.Client on provider.client()", n, lambda: client.post("/chat/completions", json=BODY).json())

    streamed = MockProvider(EchoModel())
    sclient = streamed.client()
    stream_body = {**BODY, "stream": True, "stream_options": {"include_usage": True}}
    rate(
        "httpx.Client, streaming (SSE read fully)",
        n // 3,
        lambda: sclient.post("/chat/completions", json=stream_body).read(),
    )

    sdk_provider = MockProvider(EchoModel())
    sdk = sdk_provider.openai()
    rate("openai SDK chat.completions.create", n // 3, lambda: sdk.chat.completions.create(**BODY))

    async_provider = MockProvider(EchoModel())

    async def burst(count: int) -> None:
        async with async_provider.async_client() as aclient:
            await asyncio.gather(*(aclient.post("/chat/completions", json=BODY) for _ in range(count)))

    start = time.perf_counter()
    async_provider.clock.run(burst(n))
    elapsed = time.perf_counter() - start
    print(
        f"{'httpx.AsyncClient, gather on the virtual loop':<44} {n / elapsed:>9,.0f} req/s   "
        f"({n} concurrent calls, {async_provider.clock.now():.2f} simulated s)"
    )

    print(f"\ntarget: >= 2,000 req/s through the plain client -> {'met' if figure >= 2000 else 'NOT met'}")
    print(f"simulated time served by the plain client: {plain.clock.now():,.0f} s in {n + 1} requests")


if __name__ == "__main__":
    main()
