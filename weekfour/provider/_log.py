"""The request log: one entry per call the provider saw, in the order the calls arrived."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas

__all__ = ["LogEntry", "RequestLog"]


@dataclass(slots=True)
class LogEntry:
    """One call, as the provider saw it. Times are simulated seconds.

    ``t_end`` of a stream is when its last chunk is sent; the clock gets there as the body is read. A call that ends
    in ``"timeout"`` because the answer was slower than the client's read timeout still carries its tokens and cost:
    the server finished (and billed) it after the client stopped listening. Errors cost nothing.
    """

    request_id: str
    t_start: float
    t_end: float
    latency_s: float
    model: str | None  # as sent (may be an alias), None when the body had no model
    snapshot: str | None  # the snapshot that answered (aliases resolved), None when none did
    status: int | str  # HTTP status, or "timeout" / "connection_error"
    error_code: str | None = None  # the error body's code (or type when code is null)
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    stream: bool = False
    attempt: int = 0  # from x-stainless-retry-count: 0 is the first try
    ttft_s: float | None = None  # time to first token (streams: first content chunk; others: the whole latency)
    tags: tuple[str, ...] = ()
    path: str = ""
    chunk_times: tuple[float, ...] = field(default=(), repr=False)  # streams: when each chunk is sent (simulated s)

    @property
    def ok(self) -> bool:
        return self.status == 200


class RequestLog:
    """Every request the provider handled. ``to_frame()`` gives a pandas DataFrame for the notebooks."""

    def __init__(self) -> None:
        self._entries: list[LogEntry] = []

    def append(self, entry: LogEntry) -> None:
        self._entries.append(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self._entries)

    def __getitem__(self, index: int) -> LogEntry:
        return self._entries[index]

    def __repr__(self) -> str:
        return f"RequestLog({len(self._entries)} requests, ${self.total_cost():.6f})"

    @property
    def entries(self) -> list[LogEntry]:
        """A copy of the entries."""
        return list(self._entries)

    def total_cost(self) -> float:
        """USD spent on every logged call (errors cost nothing)."""
        return sum(e.cost_usd for e in self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def to_frame(self) -> pandas.DataFrame:
        """One row per request; ``tags`` joined by commas, ``chunk_times`` left out."""
        import pandas

        columns = [f.name for f in fields(LogEntry) if f.name != "chunk_times"]
        # Every field but chunk_times is a str, a number or None (tags is joined): no deep copy needed (asdict makes
        # one, field by field, for every entry).
        rows = [[",".join(e.tags) if name == "tags" else getattr(e, name) for name in columns] for e in self._entries]
        return pandas.DataFrame(rows, columns=columns)
