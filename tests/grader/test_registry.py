"""Where checks come from: built-in modules, private folders, and loud errors for broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader._registry import CheckRegistry, ChecksError

from .conftest import CHECKS, PRIVATE


def test_a_private_folder_adds_hidden_checks_to_the_same_exercises() -> None:
    public = CheckRegistry([CHECKS], use_env=False).exercises(91)
    both = CheckRegistry([CHECKS, PRIVATE], use_env=False).exercises(91)
    assert list(public) == ["91.1", "91.2", "91.3"]
    assert public["91.2"].max_points == 3 and both["91.2"].max_points == 5
    assert [c.hidden for c in both["91.2"].checks] == [False, False, True]
    assert both["91.2"].title == "Safe parsing"


def test_folders_come_from_the_environment_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEEKFOUR_CHECKS", f"{CHECKS}:{PRIVATE}")
    assert CheckRegistry().exercises(91)["91.2"].max_points == 5


def test_a_notebook_without_checks_has_no_exercises() -> None:
    assert CheckRegistry([CHECKS], use_env=False).exercises(93) == {}


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ChecksError, match="does not exist"):
        CheckRegistry([tmp_path / "nope"], use_env=False)


def test_a_broken_module_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "nb93.py").write_text("import nothing_of_that_name\n")
    with pytest.raises(ChecksError, match=r"nb93\.py failed to load: ModuleNotFoundError"):
        CheckRegistry([tmp_path], use_env=False).exercises(93)


def test_a_check_in_the_wrong_module_is_refused(tmp_path: Path) -> None:
    (tmp_path / "nb93.py").write_text(
        "from grader.checks import exercise\n\n@exercise('94.1')\ndef misplaced(ns):\n    pass\n"
    )
    with pytest.raises(ChecksError, match=r"not in notebook 93; move it to nb94\.py"):
        CheckRegistry([tmp_path], use_env=False).exercises(93)


def test_an_edited_module_is_reloaded(tmp_path: Path) -> None:
    module = tmp_path / "nb93.py"
    module.write_text("from grader.checks import exercise\n\n@exercise('93.1', points=1)\ndef a(ns):\n    pass\n")
    registry = CheckRegistry([tmp_path], use_env=False)
    assert registry.exercises(93)["93.1"].max_points == 1
    module.write_text("from grader.checks import exercise\n\n@exercise('93.1', points=4)\ndef a(ns):\n    pass\n")
    import os

    os.utime(module, (module.stat().st_atime, module.stat().st_mtime + 5))
    assert registry.exercises(93)["93.1"].max_points == 4
