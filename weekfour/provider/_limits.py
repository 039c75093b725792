"""Requests-per-minute and tokens-per-minute limits over a sliding simulated minute, with honest headers."""

from __future__ import annotations

import math
from collections import deque

from weekfour.provider._errors import ApiError

__all__ = ["RateLimiter", "format_reset", "retry_headers"]

WINDOW_S = 60.0
_DOCS = "Visit https://platform.openai.com/account/rate-limits to learn more."


def format_reset(seconds: float) -> str:
    """The API's duration format for ``x-ratelimit-reset-*``: ``"17ms"``, ``"1s"``, ``"6m0s"``, ``"1m30.5s"``."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        return f"{math.ceil(seconds * 1000)}ms"
    minutes, rest = divmod(seconds, 60.0)
    secs = f"{rest:.3f}".rstrip("0").rstrip(".")
    return f"{int(minutes)}m{secs}s" if minutes else f"{secs}s"


def retry_headers(wait_s: float) -> dict[str, str]:
    """``retry-after`` (whole seconds, rounded up) and ``retry-after-ms`` for a wait of ``wait_s`` seconds."""
    wait_s = max(wait_s, 0.001)
    return {"retry-after": str(math.ceil(wait_s)), "retry-after-ms": str(math.ceil(wait_s * 1000))}


class RateLimiter:
    """Sliding-window limits for one model: the last 60 simulated seconds of accepted requests count."""

    def __init__(self, rpm: int | None, tpm: int | None) -> None:
        self.rpm = rpm
        self.tpm = tpm
        self._window: deque[tuple[float, int]] = deque()  # (t, tokens) of accepted requests
        self._tokens = 0

    def _prune(self, now: float) -> None:
        window = self._window
        while window and window[0][0] <= now - WINDOW_S:
            self._tokens -= window.popleft()[1]

    def headers(self, now: float) -> dict[str, str]:
        """The ``x-ratelimit-*`` headers as of ``now`` (call after :meth:`admit`)."""
        self._prune(now)
        out: dict[str, str] = {}
        reset_all = (self._window[-1][0] + WINDOW_S - now) if self._window else 0.0
        if self.rpm is not None:
            out["x-ratelimit-limit-requests"] = str(self.rpm)
            out["x-ratelimit-remaining-requests"] = str(max(self.rpm - len(self._window), 0))
            out["x-ratelimit-reset-requests"] = format_reset(reset_all)
        if self.tpm is not None:
            out["x-ratelimit-limit-tokens"] = str(self.tpm)
            out["x-ratelimit-remaining-tokens"] = str(max(self.tpm - self._tokens, 0))
            out["x-ratelimit-reset-tokens"] = format_reset(reset_all)
        return out

    def admit(self, now: float, tokens: int, model: str) -> None:
        """Count a request of ``tokens`` at ``now``, or raise the 429 the API would answer."""
        self._prune(now)
        window = self._window
        if self.rpm is not None and len(window) + 1 > self.rpm:
            wait = window[0][0] + WINDOW_S - now
            raise self._error(
                now,
                wait,
                "requests",
                f"requests per min (RPM): Limit {self.rpm}, Used {len(window)}, Requested 1",
                model,
            )
        if self.tpm is not None:
            if tokens > self.tpm:
                err = ApiError(
                    429,
                    f"Request too large for {model} in organization org-weekfour on tokens per min (TPM): Limit "
                    f"{self.tpm}, Requested {tokens}. The input or output tokens must be reduced in order to run "
                    f"successfully. {_DOCS}",
                    type="tokens",
                    code="rate_limit_exceeded",
                )
                err.headers.update(self.headers(now))
                raise err
            if self._tokens + tokens > self.tpm:
                freed, wait = 0, 0.0
                for t, n in window:
                    freed += n
                    wait = t + WINDOW_S - now
                    if self._tokens - freed + tokens <= self.tpm:
                        break
                raise self._error(
                    now,
                    wait,
                    "tokens",
                    f"tokens per min (TPM): Limit {self.tpm}, Used {self._tokens}, Requested {tokens}",
                    model,
                )
        window.append((now, tokens))
        self._tokens += tokens

    def _error(self, now: float, wait: float, kind: str, detail: str, model: str) -> ApiError:
        err = ApiError(
            429,
            f"Rate limit reached for {model} in organization org-weekfour on {detail}. Please try again in "
            f"{format_reset(wait)}. {_DOCS}",
            type=kind,
            code="rate_limit_exceeded",
        )
        err.headers.update(self.headers(now))
        err.headers.update(retry_headers(wait))
        return err
