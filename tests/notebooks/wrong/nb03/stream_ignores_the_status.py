# Exercise 3.3 — never looks at the status: a 503 during the outage streams no events, and the page shows "".
# expect: should raise httpx.HTTPStatusError
# rule: 3.3/error-raises

import json
import math

from weekfour.labs.latency import Streamed


def stream_reply(client, messages, *, clock, on_token):
    body = {"model": "wf-chat", "messages": messages, "stream": True}
    pieces = []
    start = clock.now()
    ttft = math.nan
    with client.stream("POST", "/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if not line.startswith("data: "):
                continue
            data = line.removeprefix("data: ")
            if data == "[DONE]":
                break
            choices = json.loads(data).get("choices") or [{}]
            text = choices[0].get("delta", {}).get("content")
            if text:
                if not pieces:
                    ttft = clock.now() - start
                pieces.append(text)
                on_token(text)
    return Streamed(text="".join(pieces), ttft=ttft, total=clock.now() - start)
