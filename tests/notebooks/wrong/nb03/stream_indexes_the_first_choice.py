# Exercise 3.3 — indexes choices[0] of every chunk: the first chunk behind Azure (choices: []) raises IndexError.
# expect: got:      IndexError
# rule: 3.3/no-choices-chunk

import json
import math

from weekfour.labs.latency import Streamed


def stream_reply(client, messages, *, clock, on_token):
    body = {"model": "wf-chat", "messages": messages, "stream": True}
    pieces = []
    start = clock.now()
    ttft = math.nan
    with client.stream("POST", "/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: "):
                continue
            data = line.removeprefix("data: ")
            if data == "[DONE]":
                break
            choices = json.loads(data)["choices"]
            text = choices[0].get("delta", {}).get("content")
            if text:
                if not pieces:
                    ttft = clock.now() - start
                pieces.append(text)
                on_token(text)
    return Streamed(text="".join(pieces), ttft=ttft, total=clock.now() - start)
