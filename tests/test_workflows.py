"""The GitHub side: every workflow passes actionlint, Classroom's points follow the checks, cohorts shard and merge
(``python -m grader classroom`` and ``python -m grader merge``, the verbs the workflows call)."""

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
from grader.cli import main
from grader.grade import ExerciseScore, IntegrityFlag, NotebookScore, SubmissionScore
from grader.grade.reports import write_json
from grader.grade.reports._classroom import classroom_exercises, classroom_workflow

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
    merge_step = next(s for s in jobs["gradebook"]["steps"] if "python -m grader merge" in s.get("run", ""))
    for flag in ("--csv", "--json", "--markdown", "--html"):
        assert flag in merge_step["run"]
    assert "GITHUB_STEP_SUMMARY" in merge_step["run"] and "report.html" in merge_step["run"]
    upload = next(s for s in jobs["gradebook"]["steps"] if "upload-artifact" in str(s.get("uses", "")))
    assert upload["with"]["path"] == "gradebook/"


# --- GitHub Classroom ---------------------------------------------------------------------------------------------


def test_classroom_workflow_is_in_step_with_the_checks() -> None:
    expected = classroom_workflow(classroom_exercises(CheckRegistry(use_env=False), (ROOT / "notebooks").iterdir()))
    current = (WORKFLOWS / "classroom.yml").read_text(encoding="utf-8")
    assert current == expected, "classroom.yml is out of step: run `python -m grader classroom workflow`"


def test_classroom_workflow_check_notices_a_workflow_out_of_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WEEKFOUR_CHECKS", raising=False)
    monkeypatch.chdir(ROOT)
    assert main(["classroom", "workflow", "--check"]) == 0
    stale = tmp_path / "classroom.yml"
    stale.write_text((WORKFLOWS / "classroom.yml").read_text(encoding="utf-8").replace("max-score: 4", "max-score: 5"))
    assert main(["classroom", "workflow", "--check", "--out", str(stale)]) == 1
    assert "out of step" in capsys.readouterr().out
    fresh = tmp_path / "written" / "classroom.yml"
    assert main(["classroom", "workflow", "--out", str(fresh)]) == 0
    assert fresh.read_text(encoding="utf-8") == (WORKFLOWS / "classroom.yml").read_text(encoding="utf-8")


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
    commands = {s["with"]["command"].rsplit(" ", 1)[0] for s in steps if "command" in s.get("with", {})}
    assert commands == {"python -m grader classroom exercise grade.json"}
    reporter = next(s for s in steps if "autograding-grading-reporter" in str(s.get("uses", "")))
    assert len(reporter["with"]["runners"].split(",")) == len(graded)


def _submission(learner: str, points: dict[str, tuple[int, int]], *, flags: int = 0) -> SubmissionScore:
    exercises = [
        ExerciseScore(ex, got, top, got == top, "" if got == top else f"expected: 429 ({learner})", f"Title {ex}")
        for ex, (got, top) in points.items()
    ]
    marks = [IntegrityFlag(kind="refused", detail="tried to open a socket", exercise="1.2", cell=3)] * flags
    return SubmissionScore(learner, f"cohort/{learner}", [NotebookScore("01-x.ipynb", exercises, flags=marks)])


def test_classroom_exercise_passes_only_a_passed_exercise(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "grade.json"
    write_json([_submission("ada", {"1.1": (3, 3), "1.2": (1, 4)})], report)
    assert main(["classroom", "exercise", str(report), "1.1"]) == 0
    assert "Exercise 1.1: 3/3 points" in capsys.readouterr().out
    assert main(["classroom", "exercise", str(report), "1.2"]) == 1
    assert "expected: 429" in capsys.readouterr().out
    assert main(["classroom", "exercise", str(report), "9.9"]) == 1
    assert "is not in" in capsys.readouterr().out
    assert main(["classroom", "exercise", str(tmp_path / "missing.json"), "1.1"]) == 1
    assert "python -m grader grade" in capsys.readouterr().out
    report.write_text(json.dumps({"score": 3, "notebooks": []}), encoding="utf-8")  # not the report schema
    assert main(["classroom", "exercise", str(report), "1.1"]) == 1
    assert "not a grader report" in capsys.readouterr().out


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


def test_merge_makes_one_gradebook_from_shards_of_any_size(tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    for name, subs in (
        ("shard-0", [_submission("zoe", {"1.1": (3, 3), "1.2": (0, 4)}), _submission("ada", {"1.1": (3, 3)})]),
        ("shard-1", [_submission("bob", {"1.1": (0, 3), "1.2": (4, 4)}, flags=1)]),  # a shard of one: the same schema
    ):
        (shards / name).mkdir(parents=True)
        write_json(subs, shards / name / "grades.json")
    out = tmp_path / "out"
    reports = sorted(str(p) for p in shards.glob("*/grades.json"))
    args = ["merge", *reports, f"--json={out / 'gradebook.json'}", f"--csv={out / 'gradebook.csv'}"]
    out.mkdir()
    assert main([*args, f"--markdown={out / 'feedback'}", f"--html={out / 'report.html'}"]) == 0
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["learner"], r["1.1"], r["1.2"], r["score"]) for r in rows] == [
        ("ada", "3", "0", "3"),
        ("bob", "0", "4", "4"),
        ("zoe", "3", "0", "3"),
    ]
    merged = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    assert merged["schema"] == 1
    assert [(s["learner"], s["score"]) for s in merged["submissions"]] == [("ada", 3), ("bob", 4), ("zoe", 3)]
    assert merged["submissions"][1]["notebooks"][0]["flags"][0]["kind"] == "refused"
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["ada.md", "bob.md", "zoe.md"]
    assert "| 1.2 Title 1.2 | 0/4 | ❌ |" in (out / "feedback" / "zoe.md").read_text(encoding="utf-8")
    assert 'href="feedback/bob.md"' in (out / "report.html").read_text(encoding="utf-8")


def test_merge_refuses_a_learner_in_two_shards_and_a_foreign_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, foreign = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    write_json([_submission("ada", {"1.1": (3, 3)})], first)
    write_json([_submission("ada", {"1.1": (0, 3)})], second)
    assert main(["merge", str(first), str(second), f"--json={tmp_path / 'out.json'}"]) == 2
    assert "'ada' is in both" in capsys.readouterr().err
    foreign.write_text("{}", encoding="utf-8")
    assert main(["merge", str(first), str(foreign)]) == 2
    assert "not a grader report" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()
