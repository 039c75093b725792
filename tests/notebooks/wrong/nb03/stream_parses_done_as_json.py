# Exercise 3.3 — json.loads on every data line, including the final "data: [DONE]".
# expect: raised JSONDecodeError
# rule: 3.3/skips-blank-lines-and-done

import json

from weekfour.labs.latency import Streamed


def stream_reply(client, messages, *, clock, on_token):
    start = clock.now()
    pieces, ttft = [], None
    body = {"model": "wf-chat", "messages": messages, "stream": True}
    with client.stream("POST", "/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if not line:
                continue
            chunk = json.loads(line.removeprefix("data: "))
            text = chunk["choices"][0]["delta"].get("content") if chunk["choices"] else None
            if text:
                ttft = clock.now() - start if ttft is None else ttft
                pieces.append(text)
                on_token(text)
    return Streamed("".join(pieces), ttft, clock.now() - start)
