# Exercise 3.3 — sends stream=True but reads the complete body, then replays it: the person still waits for it all.
# expect: called as each token arrives
# rule: 3.3/reads-as-it-arrives

import json

from weekfour.labs.latency import Streamed


def stream_reply(client, messages, *, clock, on_token):
    start = clock.now()
    response = client.post("/chat/completions", json={"model": "wf-chat", "messages": messages, "stream": True})
    pieces, ttft = [], None
    for line in response.text.splitlines():
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        text = json.loads(line[6:])["choices"][0]["delta"].get("content") if json.loads(line[6:])["choices"] else None
        if text:
            ttft = clock.now() - start if ttft is None else ttft
            pieces.append(text)
            on_token(text)
    return Streamed("".join(pieces), ttft, clock.now() - start)
