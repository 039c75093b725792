"""Exercise checks: one module per notebook, ``nbNN.py`` (``nb01.py`` for ``01-*.ipynb``), one function per check.

::

    from grader.checks import CheckFailed, Namespace, exercise

    @exercise("1.2", points=3, title="Safe parsing")
    def safe_parsing(ns: Namespace) -> None:
        parse = ns.function("parse_answer")
        ...
        raise CheckFailed("what should have happened", expected=..., got=..., hint="...")

    @exercise("1.2", points=2, hidden=True)     # run only by the grader
    def safe_parsing_edge_cases(ns: Namespace) -> None: ...

The full guide is docs/authoring.md.
"""

from __future__ import annotations

from grader._api import CheckFailed, Namespace, NotAttempted, exercise

__all__ = ["CheckFailed", "Namespace", "NotAttempted", "exercise"]
