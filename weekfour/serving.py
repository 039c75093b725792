"""What serving a customer's page is made of, shared by the fallbacks lab, the capstone, their checks and notebooks
04 and 06: the page's answer (:class:`Served`) and a breaker's refusal (:class:`CircuitOpen`).

``Served(answer, rung)`` is what a page handler returns; ``rung`` names who answered (``"primary"``, ``"backup"``,
``"cache"`` or ``"degraded"``). ``CircuitOpen`` is what a circuit breaker raises instead of calling a provider it
considers down: the next rung takes over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from weekfour.agent import Reply

__all__ = ["CircuitOpen", "Handler", "Served"]

_ANSWER_CUT: Final = 72  # characters of the answer a Served repr shows


@dataclass(repr=False)
class Served:
    """What a page handler returns to the customer.

    ``rung`` names who answered: ``"primary"``, ``"backup"``, ``"cache"`` or ``"degraded"``; ``reply`` is the agent's
    reply behind the answer (None in degraded mode); ``status`` is the HTTP status of the page (200 unless you mean
    to fail the page). Its repr is one line (the answer cut short, the reply summed up); the fields hold it all.
    """

    answer: str
    rung: str
    reply: Reply | None = None
    status: int = 200

    def __repr__(self) -> str:
        answer = self.answer if len(self.answer) <= _ANSWER_CUT else self.answer[: _ANSWER_CUT - 1] + "…"
        reply = "None" if self.reply is None else f"<{self.reply.steps} model calls, ${self.reply.cost:.4f}>"
        return f"Served(rung={self.rung!r}, status={self.status}, answer={answer!r}, reply={reply})"


Handler = Callable[[str], Served]


class CircuitOpen(Exception):
    """A circuit breaker refused the call: the provider behind it is considered down. Move on to the next rung."""
