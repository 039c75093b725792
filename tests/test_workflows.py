"""The GitHub side: every workflow passes actionlint, Classroom's points follow the checks, cohorts shard and merge."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from grader._registry import CheckRegistry

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
EXPECTED = ("tests.yml", "grade.yml", "grade-cohort.yml", "classroom.yml")


def _load(relative: str) -> ModuleType:
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem + "_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _actionlint() -> str:
    found = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("actionlint is missing: it comes with the project's dependencies (`pip install -e .`).")
    return found


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    # shellcheck and pyflakes are left out so the result does not depend on what else the machine has installed.
    return subprocess.run(
        [_actionlint(), "-no-color", "-shellcheck=", "-pyflakes=", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def _workflow(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_workflows_the_course_needs_exist() -> None:
    present = {p.name for p in WORKFLOWS.glob("*.y*ml")}
    assert set(EXPECTED) <= present, f"missing workflows: {sorted(set(EXPECTED) - present)}"


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.y*ml")))
def test_workflow_passes_actionlint(name: str) -> None:
    result = _lint(WORKFLOWS / name)
    assert result.returncode == 0, f"actionlint found problems in .github/workflows/{name}:\n{result.stdout}"


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ matrix.nothing }}\n      - uses: actions/checkout@v4\n        with:\n"
        "          no-such-input: 1\n",
        encoding="utf-8",
    )
    result = _lint(broken)
    assert result.returncode != 0 and "matrix" in result.stdout and "no-such-input" in result.stdout


def test_learner_facing_workflows_need_no_secrets() -> None:
    for name in ("tests.yml", "grade.yml", "classroom.yml"):
        assert "secrets." not in (WORKFLOWS / name).read_text(encoding="utf-8"), f"{name} must run without secrets"


def test_the_project_workflow_runs_the_ci_entry_and_keeps_the_screenshots() -> None:
    steps = _workflow("tests.yml")["jobs"]["test"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "bash .ci/run" in runs
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert any(s["with"]["path"].startswith("tests/browser/artifacts") for s in uploads)


def test_the_learner_workflow_grades_notebooks_with_reports() -> None:
    text = (WORKFLOWS / "grade.yml").read_text(encoding="utf-8")
    assert "python -m grader grade notebooks/" in text and "--json" in text and "--junit" in text
    on = _workflow("grade.yml")[True]  # YAML reads the key `on` as true
    assert "push" in on


def test_the_cohort_workflow_shards_over_a_matrix_and_keeps_csv_and_json() -> None:
    jobs = _workflow("grade-cohort.yml")["jobs"]
    assert "fromJSON(needs.plan.outputs.shards)" in str(jobs["grade"]["strategy"]["matrix"]["shard"])
    grade_step = next(s for s in jobs["grade"]["steps"] if s.get("name") == "Grade this shard")
    for flag in ("--csv", "--json", "--checks", "--markdown"):
        assert flag in grade_step["run"]
    assert "cohort.py merge" in str(jobs["gradebook"]["steps"])


# --- GitHub Classroom ---------------------------------------------------------------------------------------------


def test_classroom_workflow_is_in_step_with_the_checks() -> None:
    generate = _load(".github/classroom/generate.py")
    expected = generate.render(generate.exercises())
    current = (WORKFLOWS / "classroom.yml").read_text(encoding="utf-8")
    assert current == expected, "classroom.yml is out of step: run `python .github/classroom/generate.py`"


def test_classroom_gives_each_exercise_its_points_from_the_checks() -> None:
    steps = _workflow("classroom.yml")["jobs"]["autograding"]["steps"]
    graded = {
        s["with"]["command"].split()[-1]: int(s["with"]["max-score"])
        for s in steps
        if str(s.get("uses", "")).startswith("classroom-resources/autograding-command-grader")
    }
    registry = CheckRegistry(use_env=False)
    notebooks = sorted({int(p.name[:2]) for p in (ROOT / "solutions").glob("[0-9][0-9]-*.ipynb")})
    declared = {ex.id: ex.max_points for n in notebooks for ex in registry.exercises(n).values()}
    assert graded == declared
    reporter = next(s for s in steps if "autograding-grading-reporter" in str(s.get("uses", "")))
    assert len(reporter["with"]["runners"].split(",")) == len(graded)


def _report(exercises: list[dict[str, Any]]) -> dict[str, Any]:
    return {"score": 0, "max_score": 0, "notebooks": [{"path": "01-x.ipynb", "exercises": exercises}]}


def test_classroom_exercise_step_passes_only_a_passed_exercise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exercise = _load(".github/classroom/exercise.py")
    report = tmp_path / "grade.json"
    report.write_text(
        json.dumps(
            _report(
                [
                    {"id": "1.1", "points": 3, "max_points": 3, "passed": True, "feedback": ""},
                    {"id": "1.2", "points": 1, "max_points": 4, "passed": False, "feedback": "expected: 429"},
                ]
            )
        ),
        encoding="utf-8",
    )
    assert exercise.main([str(report), "1.1"]) == 0
    assert exercise.main([str(report), "1.2"]) == 1
    assert "expected: 429" in capsys.readouterr().out
    assert exercise.main([str(report), "9.9"]) == 1
    assert exercise.main([str(tmp_path / "missing.json"), "1.1"]) == 1
    assert "python -m grader grade" in capsys.readouterr().out


# --- cohorts ------------------------------------------------------------------------------------------------------


def test_shards_cover_every_submission_once(tmp_path: Path) -> None:
    cohort = _load(".github/scripts/cohort.py")
    for i in range(7):
        (tmp_path / f"learner-{i}").mkdir()
    (tmp_path / ".git").mkdir()
    shards = cohort.plan(tmp_path, 3)
    assert shards == [0, 1, 2]
    taken = [p.name for s in shards for p in cohort.shard(tmp_path, s, len(shards))]
    assert sorted(taken) == [f"learner-{i}" for i in range(7)]
    assert cohort.plan(tmp_path, 50) == list(range(7))
    with pytest.raises(ValueError, match="use 0 to 2"):
        cohort.shard(tmp_path, 3, 3)


def _write_shard(folder: Path, rows: list[list[object]], report: dict[str, Any]) -> None:
    (folder / "feedback").mkdir(parents=True)
    with (folder / "gradebook.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    (folder / "grades.json").write_text(json.dumps(report), encoding="utf-8")
    for row in rows[1:]:
        (folder / "feedback" / f"{row[0]}.md").write_text(f"# {row[0]}\n", encoding="utf-8")


def test_merge_makes_one_gradebook_from_shards_of_any_size(tmp_path: Path) -> None:
    cohort = _load(".github/scripts/cohort.py")
    shards = tmp_path / "shards"
    _write_shard(
        shards / "shard-0",
        [["learner", "1.1", "1.2", "score", "max_score"], ["zoe", 3, 0, 3, 7], ["ada", 3, 4, 7, 7]],
        {"submissions": [{"learner": "zoe", "score": 3}, {"learner": "ada", "score": 7}]},
    )
    _write_shard(
        shards / "shard-1",
        [["learner", "1.1", "1.2", "score", "max_score"], ["bob", 0, 4, 4, 7]],
        {"score": 4, "max_score": 7, "notebooks": []},  # a shard of one writes one submission's shape
    )
    learners, count = cohort.merge(shards, tmp_path / "out")
    assert (learners, count) == (3, 2)
    with (tmp_path / "out" / "gradebook.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["learner"] for r in rows] == ["ada", "bob", "zoe"]
    assert [r["score"] for r in rows] == ["7", "4", "3"]
    merged = json.loads((tmp_path / "out" / "gradebook.json").read_text(encoding="utf-8"))["submissions"]
    assert [(s["learner"], s["score"]) for s in merged] == [("ada", 7), ("bob", 4), ("zoe", 3)]
    assert sorted(p.name for p in (tmp_path / "out" / "feedback").iterdir()) == ["ada.md", "bob.md", "zoe.md"]
