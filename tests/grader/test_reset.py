"""``python -m grader reset``: one exercise back to its released stub, a backup of what it replaced, nothing else."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from grader._cells import exercise_id, is_check, is_solution
from grader._nbio import dumps_notebook, load_notebook
from grader.cli import main
from grader.reset import BACKUPS, ReleasedNotFound, reset_exercise

ROOT = Path(__file__).resolve().parents[2]
RELEASED = ROOT / "notebooks" / "04-fallbacks.ipynb"


def _solution(nb: dict[str, Any], exercise: str) -> dict[str, Any]:
    return next(c for c in nb["cells"] if is_solution(c) and exercise_id(c) == exercise)


def _work_on(path: Path, *exercises: str) -> None:
    """The learner's code in these exercises' solution cells, with an output from running it."""
    nb = load_notebook(path)
    for ex in exercises:
        cell = _solution(nb, ex)
        cell["source"] = f"def mine_{ex.replace('.', '_')}():\n    return 'my work on {ex}'"
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
        cell["execution_count"] = 7
    path.write_text(dumps_notebook(nb), encoding="utf-8")


@pytest.fixture
def worked_notebook(tmp_path: Path) -> Path:
    """A learner's 04 with work in 4.1 and 4.2, outside any repository (so the released copy comes from --from)."""
    path = tmp_path / "work" / "04-fallbacks.ipynb"
    path.parent.mkdir()
    shutil.copy(RELEASED, path)
    _work_on(path, "4.1", "4.2")
    return path


def test_reset_puts_back_the_stub_of_that_exercise_only(worked_notebook: Path) -> None:
    before = worked_notebook.read_text(encoding="utf-8")
    report = reset_exercise(worked_notebook, "4.2", source=RELEASED)
    nb, released = load_notebook(worked_notebook), load_notebook(RELEASED)
    assert _solution(nb, "4.2") == _solution(released, "4.2")  # the stub, no outputs, no execution count
    assert "my work on 4.1" in _solution(nb, "4.1")["source"]  # the other exercise keeps the learner's code
    assert len(nb["cells"]) == len(released["cells"])
    assert report.cells == 1 and report.backup == worked_notebook.parent / BACKUPS / "04-fallbacks.4.2.1.ipynb"
    assert report.backup.read_text(encoding="utf-8") == before


def test_each_reset_keeps_its_own_backup(worked_notebook: Path) -> None:
    first = reset_exercise(worked_notebook, "4.2", source=RELEASED).backup
    _work_on(worked_notebook, "4.2")
    second = reset_exercise(worked_notebook, "4.2", source=RELEASED).backup
    assert first.name == "04-fallbacks.4.2.1.ipynb" and second.name == "04-fallbacks.4.2.2.ipynb"
    assert "my work on 4.2" in second.read_text(encoding="utf-8")
    assert sorted(p.name for p in worked_notebook.parent.glob("*.ipynb")) == ["04-fallbacks.ipynb"]  # none graded


def test_a_deleted_solution_cell_comes_back_above_its_check(worked_notebook: Path) -> None:
    nb = load_notebook(worked_notebook)
    nb["cells"] = [c for c in nb["cells"] if not (is_solution(c) and exercise_id(c) == "4.3")]
    worked_notebook.write_text(dumps_notebook(nb), encoding="utf-8")
    reset_exercise(worked_notebook, "4.3", source=RELEASED)
    cells = load_notebook(worked_notebook)["cells"]
    index = next(i for i, c in enumerate(cells) if is_solution(c) and exercise_id(c) == "4.3")
    assert is_check(cells[index + 1]) and exercise_id(cells[index + 1]) == "4.3"


def test_in_the_course_repository_the_stub_is_the_release_build(tmp_path: Path) -> None:
    (tmp_path / "solutions").mkdir()
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "solutions" / "04-fallbacks.ipynb", tmp_path / "solutions")
    learner = tmp_path / "notebooks" / "04-fallbacks.ipynb"
    shutil.copy(RELEASED, learner)
    _work_on(learner, "4.4")
    report = reset_exercise(learner, "4.4")
    assert report.released_from == "the release build of solutions/04-fallbacks.ipynb"
    assert _solution(load_notebook(learner), "4.4") == _solution(load_notebook(RELEASED), "4.4")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_in_a_learner_repository_the_stub_is_the_first_committed_version(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=l", "-c", "user.email=l@example.com", *args], cwd=tmp_path, check=True)

    (tmp_path / "notebooks").mkdir()
    learner = tmp_path / "notebooks" / "04-fallbacks.ipynb"
    shutil.copy(RELEASED, learner)
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "template")
    _work_on(learner, "4.5")
    git("commit", "-q", "-am", "my work")
    report = reset_exercise(learner, "4.5")
    assert report.released_from == "04-fallbacks.ipynb as first committed to git"
    assert _solution(load_notebook(learner), "4.5") == _solution(load_notebook(RELEASED), "4.5")


def test_without_a_released_version_nothing_changes(worked_notebook: Path) -> None:
    before = worked_notebook.read_text(encoding="utf-8")
    with pytest.raises(ReleasedNotFound, match="--from PATH"):
        reset_exercise(worked_notebook, "4.2")
    assert worked_notebook.read_text(encoding="utf-8") == before
    assert not (worked_notebook.parent / BACKUPS).exists()


def test_the_command_says_where_the_backup_is(worked_notebook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reset", str(worked_notebook), "4.1", "--from", str(RELEASED)]) == 0
    out = capsys.readouterr().out
    assert f"Exercise 4.1 in {worked_notebook} is back to the stub" in out
    assert str(worked_notebook.parent / BACKUPS / "04-fallbacks.4.1.1.ipynb") in out
    assert "Reload Notebook from Disk" in out


def test_an_unknown_exercise_is_refused_with_the_ones_there_are(
    worked_notebook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = worked_notebook.read_text(encoding="utf-8")
    assert main(["reset", str(worked_notebook), "9.9", "--from", str(RELEASED)]) == 2
    err = capsys.readouterr().err
    assert "Nothing was changed" in err and "4.1, 4.2, 4.3, 4.4, 4.5" in err
    assert worked_notebook.read_text(encoding="utf-8") == before


def test_a_notebook_number_means_the_notebook_in_notebooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notebooks").mkdir()
    shutil.copy(RELEASED, tmp_path / "notebooks")
    _work_on(tmp_path / "notebooks" / "04-fallbacks.ipynb", "4.2")
    monkeypatch.chdir(tmp_path)
    assert main(["reset", "4", "4.2", "--from", str(RELEASED)]) == 0
    assert "notebooks/04-fallbacks.ipynb is back to the stub" in capsys.readouterr().out
    assert main(["reset", "notebooks/nope.ipynb", "4.2"]) == 2
