"""check() in a real Jupyter kernel: rich HTML, and an error that shows one short line instead of a traceback."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from .conftest import CHECKS


def test_check_shows_html_and_raises_a_short_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEEKFOUR_CHECKS", str(CHECKS))
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from grader import check\n\ndef double(x):\n    return x * 2"),
        nbformat.v4.new_code_cell('check("91.1")'),
        nbformat.v4.new_code_cell("def double(x):\n    return x + 2\n\ncheck('91.1')"),
    ]
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True)
    try:
        client.execute()
    except CellExecutionError:  # pragma: no cover - allow_errors keeps going
        pass
    passed = nb.cells[1].outputs[0]["data"]["text/html"]
    assert "91.1" in passed and "passed" in passed and "(1/1 points" in passed and "<pre" not in passed
    html, error = nb.cells[2].outputs
    failed = html["data"]["text/html"]
    # The failing check's own numbers, shown as it computed them: double(n) is 2n, the learner's gave n + 2.
    found = re.search(r"double\((-?\d+)\) should be twice its input\n  expected: (-?\d+)\n  got:      (-?\d+)", failed)
    assert found, failed
    n, expected, got = map(int, found.groups())
    assert (expected, got) == (2 * n, n + 2)
    assert "Hint: Twice, not plus two." in failed and "not yet" in failed and "(0/1 points" in failed
    assert error["output_type"] == "error" and error["ename"] == "CheckError"
    assert error["traceback"] == ["Exercise 91.1: not passed yet (see above)."]
