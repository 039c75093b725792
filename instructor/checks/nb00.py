"""Hidden checks of notebook 00: run only when grading, never by ``check()``, and never shipped to learners
(``python -m grader template`` leaves ``instructor/`` out).

They add unseen inputs (other seeds, other scenarios) to the public checks of ``grader/checks/nb00.py``, whose ``RULES``
they name and whose helpers they import; they never hold a rule the public checks skip.
"""

from __future__ import annotations

from grader.checks import Namespace, exercise
from grader.checks.nb00 import _try_orders

__all__ = ["ask_status_hidden"]


@exercise("0.1", points=1, hidden=True, rules=["0.1/asks-the-agent", "0.1/returns-status"])
def ask_status_hidden(ns: Namespace) -> None:
    _try_orders(ns, 5)
