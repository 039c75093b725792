"""The release build: solutions/ → notebooks/, its steps, and the authoring mistakes that stop it."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from grader._nbio import dumps_notebook, load_notebook
from grader._registry import CheckRegistry
from grader.cli import main
from grader.release import AuthoringError, BuildContext, build_notebook, release

from .conftest import CHECKS, COURSE

ROOT = Path(__file__).resolve().parents[2]
SOURCE = COURSE / "solutions" / "91-fixture.ipynb"


def _build(nb: dict[str, Any]) -> dict[str, Any]:
    return build_notebook(nb, BuildContext("91-fixture.ipynb", 91, CheckRegistry([CHECKS], use_env=False)))


def _source() -> dict[str, Any]:
    return load_notebook(SOURCE)


def _cell(nb: dict[str, Any], ex: str, tag: str) -> dict[str, Any]:
    return next(
        c for c in nb["cells"] if tag in c["metadata"].get("tags", []) and c["metadata"]["weekfour"]["exercise"] == ex
    )


def test_solutions_become_stubs_that_name_the_exercise() -> None:
    built = _build(_source())
    assert _cell(built, "91.1", "solution")["source"] == (
        "def double(x: int) -> int:\n"
        '    raise NotImplementedError("Exercise 91.1 (Doubling): replace this line with your code")'
    )
    assert "json.loads" not in json.dumps(built)
    assert _cell(built, "91.2", "solution")["source"].startswith("def parse_answer(text: str) -> dict:")


def test_check_cells_are_canonical_and_locked_and_outputs_cleared() -> None:
    nb = _source()
    cell = _cell(nb, "91.1", "check")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "secret\n"}]
    cell["execution_count"] = 4
    built = _cell(_build(nb), "91.1", "check")
    assert built["source"] == 'check("91.1")' and built["outputs"] == [] and built["execution_count"] is None
    assert built["metadata"]["editable"] is False and built["metadata"]["deletable"] is False


def test_the_build_does_not_change_its_input() -> None:
    nb = _source()
    before = copy.deepcopy(nb)
    _build(nb)
    assert nb == before


def _problems(nb: dict[str, Any]) -> str:
    with pytest.raises(AuthoringError) as info:
        _build(nb)
    return str(info.value)


def test_a_marker_in_an_untagged_cell_names_the_notebook_and_cell() -> None:
    nb = _source()
    nb["cells"][1]["source"] += "\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"
    assert "91-fixture.ipynb, cell 1: 'from grader import check, progress': solution markers in a cell not tagged" in (
        _problems(nb)
    )


def test_duplicate_ids_stop_the_build() -> None:
    nb = _source()
    _cell(nb, "91.2", "check")["metadata"]["weekfour"]["exercise"] = "91.1"
    problems = _problems(nb)
    assert "cell 7" in problems and "duplicate exercise id 91.1" in problems


def test_a_check_for_an_unknown_exercise_stops_the_build() -> None:
    nb = _source()
    nb["cells"] = [c for c in nb["cells"] if c["metadata"].get("weekfour", {}).get("exercise") != "91.3"]
    assert "the checks declare exercise 91.3, which this notebook does not have" in _problems(nb)


def test_an_exercise_without_a_check_stops_the_build() -> None:
    nb = _source()
    solution = copy.deepcopy(_cell(nb, "91.1", "solution"))
    solution["metadata"]["weekfour"]["exercise"] = "91.4"
    nb["cells"].append(solution)
    problems = _problems(nb)
    assert "exercise 91.4 has no check cell" in problems
    check = copy.deepcopy(_cell(nb, "91.1", "check"))
    check["metadata"]["weekfour"]["exercise"] = "91.4"
    check["source"] = 'check("91.4")'
    nb["cells"].append(check)
    assert "exercise 91.4 has no check function" in _problems(nb)


def test_other_mistakes_are_named_too() -> None:
    nb = _source()
    _cell(nb, "91.1", "check")["source"] = 'check("91.1")\nprint("extra")'
    _cell(nb, "91.2", "solution")["source"] = "### BEGIN SOLUTION\nx = 1"
    del _cell(nb, "91.3", "solution")["metadata"]["weekfour"]
    problems = _problems(nb)
    assert 'source must be exactly check("91.1")' in problems
    assert "### BEGIN SOLUTION without ### END SOLUTION" in problems
    assert "has no exercise id" in problems


def test_release_writes_then_check_passes_and_notices_a_hand_edit(tmp_path: Path) -> None:
    dest = tmp_path / "notebooks"
    args = ["release", "--source", str(COURSE / "solutions"), "--dest", str(dest), "--checks", str(CHECKS)]
    assert main(args) == 0
    assert sorted(p.name for p in dest.iterdir()) == ["91-fixture.ipynb", "92-extra.ipynb"]
    assert main([*args, "--check"]) == 0
    target = dest / "92-extra.ipynb"
    target.write_text(target.read_text().replace("second", "2nd"))
    assert main([*args, "--check"]) == 1


def test_the_committed_fixture_notebooks_are_in_step() -> None:
    report = release(
        COURSE / "solutions", COURSE / "notebooks", registry=CheckRegistry([CHECKS], use_env=False), check=True
    )
    assert report.problems == [] and report.differences == [] and len(report.built) == 2


def test_an_empty_solutions_folder_is_in_step_with_an_empty_notebooks_folder(tmp_path: Path) -> None:
    (tmp_path / "solutions").mkdir()
    (tmp_path / "notebooks").mkdir()
    args = ["release", "--check", "--source", str(tmp_path / "solutions"), "--dest", str(tmp_path / "notebooks")]
    assert main(args) == 0


def test_an_authoring_mistake_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "solutions"
    source.mkdir()
    shutil.copy(SOURCE, source / SOURCE.name)
    nb = _source()
    _cell(nb, "91.1", "check")["source"] = "pass"
    (source / SOURCE.name).write_text(dumps_notebook(nb))
    dest = tmp_path / "notebooks"
    assert main(["release", "--source", str(source), "--dest", str(dest), "--checks", str(CHECKS)]) == 1
    assert not dest.exists()


def test_the_repository_notebooks_are_a_fresh_build_of_solutions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEEKFOUR_CHECKS")
    monkeypatch.chdir(ROOT)
    assert main(["release", "--check"]) == 0, "notebooks/ is out of step with solutions/: run `make release`"
