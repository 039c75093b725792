# Exercise 3.3 — joins the pieces with spaces: the tokens already carry their spaces, so the text doubles them.
# expect: should add up to the model's answer
# rule: 3.3/text-joined

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
            choices = json.loads(data).get("choices") or [{}]
            text = choices[0].get("delta", {}).get("content")
            if text:
                if not pieces:
                    ttft = clock.now() - start
                pieces.append(text)
                on_token(text)
    return Streamed(text=" ".join(pieces), ttft=ttft, total=clock.now() - start)
