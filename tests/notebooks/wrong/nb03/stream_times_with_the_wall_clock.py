# Exercise 3.3 — measures with time.perf_counter: real time, not the simulated clock the provider runs on.
# expect: Streamed.ttft should be measured on the simulated clock
# rule: 3.3/ttft-on-the-clock

import json
import time

from weekfour.labs.latency import Streamed


def stream_reply(client, messages, *, clock, on_token):
    start = time.perf_counter()
    pieces, ttft = [], None
    body = {"model": "wf-chat", "messages": messages, "stream": True}
    with client.stream("POST", "/chat/completions", json=body) as response:
        for line in response.iter_lines():
            data = line.removeprefix("data: ")
            if not line or data == "[DONE]":
                continue
            chunk = json.loads(data)
            text = chunk["choices"][0]["delta"].get("content") if chunk["choices"] else None
            if text:
                ttft = time.perf_counter() - start if ttft is None else ttft
                pieces.append(text)
                on_token(text)
    return Streamed("".join(pieces), ttft, time.perf_counter() - start)
