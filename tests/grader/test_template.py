"""``python -m grader template``: the learner template holds no solution line and no hidden check, and grades on its
own — with its own grader, which scores the untouched notebooks 0 of the public maximum, saying "not attempted".

A solution line is a line between ``### BEGIN SOLUTION`` / ``### END SOLUTION`` in ``solutions/*.ipynb`` of at least
:data:`MIN_LINE` characters, not a comment, and not shown to learners anyway: by the learner notebooks the release
builds (a solution cell's signature and docstring stay in them) or by the course kit (the day-three agent whose code
the solutions extend). Any other file of the template holding one fails the test — the public checks included.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any, Final

import pytest

from grader._cells import BEGIN, END
from grader._registry import CheckRegistry
from grader.cli import main
from grader.template import write_template
from grader.template._makefile import learner_makefile

ROOT: Final = Path(__file__).resolve().parents[2]
MIN_LINE: Final = 40
NOTEBOOKS: Final = sorted(int(p.name[:2]) for p in (ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))
GRADING_TIMEOUT: Final = 900


def _code_lines(path: Path) -> list[str]:
    return [
        line for c in json.loads(path.read_text(encoding="utf-8"))["cells"] for line in "".join(c["source"]).split("\n")
    ]


def solution_lines() -> set[str]:
    """Every non-trivial line of every solution region that learners are not shown anyway (module docstring)."""
    found: set[str] = set()
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        inside = False
        for line in _code_lines(path):
            text = line.strip()
            if text.startswith(BEGIN):
                inside = True
            elif text.startswith(END):
                inside = False
            elif inside and len(text) >= MIN_LINE and not text.startswith("#"):
                found.add(text)
    shown = {line.strip() for p in (ROOT / "notebooks").glob("*.ipynb") for line in _code_lines(p)}
    shown |= {line.strip() for p in (ROOT / "weekfour").rglob("*.py") for line in p.read_text().splitlines()}
    return found - shown


def hidden_check_names() -> set[str]:
    registry = CheckRegistry(use_env=False)
    return {spec.name for n in NOTEBOOKS for spec in registry.checks(n) if spec.hidden}


def _texts(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("template") / "learner-template"
    assert main(["template", str(dest)]) == 0
    return dest


def test_the_template_holds_what_a_learner_needs(template: Path) -> None:
    for wanted in ("README.md", "Makefile", "pyproject.toml", "environment.yml", "postBuild", "requirements/lab.txt"):
        assert (template / wanted).is_file(), wanted
    assert sorted(p.name for p in (template / "notebooks").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb")
    )
    for package in ("weekfour/__init__.py", "grader/__init__.py", "grader/checks/points.json", "grader/grade"):
        assert (template / package).exists(), package
    workflows = sorted(p.name for p in (template / ".github" / "workflows").iterdir())
    assert workflows == ["classroom.yml", "grade.yml"]
    if (ROOT / ".devcontainer").is_dir():
        assert (template / ".devcontainer" / "devcontainer.json").is_file()


def test_the_template_leaves_the_instructors_part_behind(template: Path) -> None:
    for absent in ("solutions", "instructor", "tests", "docs", "benchmarks", ".ci", "grader/mutate", "grader/release"):
        assert not (template / absent).exists(), f"{absent} is in the learner template"
    assert not (template / ".github" / "workflows" / "grade-cohort.yml").exists()
    assert not list(template.rglob("__pycache__")) and not list(template.rglob("*.egg-info"))
    assert not list((template / "notebooks").glob(".*")), "a learner's backups or checkpoints were copied"


def leaks(root: Path, secret: set[str]) -> list[str]:
    """``"file: line"`` for every line of a file under ``root`` that is one of the ``secret`` lines."""
    found = []
    for name, text in _texts(root).items():
        lines = _code_lines(root / name) if name.endswith(".ipynb") else text.splitlines()
        found += [f"{name}: {line.strip()}" for line in lines if line.strip() in secret]
    return found


def test_the_scan_finds_a_solution_line_wherever_it_is(tmp_path: Path) -> None:
    secret = solution_lines()
    assert len(secret) > 100, "the scan found almost no solution lines to look for: is solutions/ there?"
    planted = sorted(secret)[len(secret) // 2]
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader" / "helper.py").write_text(f"def f():\n    {planted}\n", encoding="utf-8")
    assert leaks(tmp_path, secret) == [f"grader/helper.py: {planted}"]


def test_the_template_holds_no_line_of_any_solution(template: Path) -> None:
    found = leaks(template, solution_lines())
    assert not found, "solution lines in the learner template:\n" + "\n".join(found)
    for path in (template / "notebooks").glob("*.ipynb"):
        assert not {BEGIN, END} & {line.strip() for line in _code_lines(path)}, f"{path.name} holds a marker"


def test_the_template_holds_no_hidden_check(template: Path) -> None:
    names = hidden_check_names()
    assert len(names) >= len(NOTEBOOKS), "the course should have hidden checks to look for"
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\b")
    found = {
        name: sorted(set(pattern.findall(text))) for name, text in _texts(template).items() if pattern.search(text)
    }
    assert not found, f"hidden checks named in the learner template: {found}"


def test_a_learner_readme_says_how_to_work_check_and_submit(template: Path) -> None:
    text = (template / "README.md").read_text(encoding="utf-8")
    for section in ("## Quick start", "## How you work\n", "## Your score, here and at grading", "## How you submit"):
        assert section in text
    assert "make grade" in text and "check(" in text and "notebooks/" in text and "GitHub Classroom" in text
    assert "solutions are not in this repository" in text
    assert "make release" not in text and "solutions/" not in text and "instructor/" not in text
    assert "with a few hidden checks added" not in text, "the template's make grade runs no hidden check"
    public = CheckRegistry(use_env=False, instructor=False)
    points = sum(info.max_points for n in NOTEBOOKS for info in public.exercises(n).values())
    assert f"`make grade` counts the checks this repository has: {points} of the course's 159 points" in text


def test_the_learner_makefile_keeps_set_up_lab_and_grade_only() -> None:
    course = (ROOT / "Makefile").read_text(encoding="utf-8")
    text = learner_makefile(course)
    targets = set(re.findall(r"^([a-z]+):", text, flags=re.M))
    assert {"setup", "lab", "grade"} <= targets
    assert not targets & {"test", "release", "lock", "bench"}
    assert "TESTSTAMP" not in text and "make release" not in text and "make test" not in text


def test_the_templates_classroom_workflow_counts_its_public_checks(template: Path) -> None:
    text = (template / ".github" / "workflows" / "classroom.yml").read_text(encoding="utf-8")
    public = CheckRegistry(use_env=False, instructor=False)
    points = sum(info.max_points for n in NOTEBOOKS for info in public.exercises(n).values())
    assert f"{points} points)" in text and "python -m grader classroom exercise grade.json" in text


def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine.txt").write_text("my work\n", encoding="utf-8")
    assert main(["template", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_an_empty_folder_is_filled(tmp_path: Path) -> None:
    report = write_template(tmp_path)
    assert (tmp_path / "README.md").is_file() and report.public_points < report.full_points


# --- the template grades on its own -----------------------------------------------------------------------------------


def _template_python(template: Path, where: Path) -> Path:
    """A Python whose ``grader`` and ``weekfour`` are the template's: a bare venv that reads the template, then the
    packages the course's environment installed (but not its editable install of the course, whose hook only a site
    folder would run)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    course_site = sysconfig.get_paths()["purelib"]
    Path(purelib, "learner-template.pth").write_text(f"{template}\n{course_site}\n", encoding="utf-8")
    return python


@pytest.fixture(scope="module")
def graded_template(template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``python -m grader grade notebooks/`` run inside the template, once for the module (about a minute)."""
    work = tmp_path_factory.mktemp("graded-template")
    python = _template_python(template, work / "venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEEKFOUR_", "PYTHON", "GITHUB_"))}
    where = subprocess.run(
        [str(python), "-c", "import grader, weekfour; print(grader.__file__); print(weekfour.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = work / "grade.json"
    # --uncontained: this venv borrows the course's installed packages from outside its own prefix, which a contained
    # kernel may not read; a learner's own `make setup` installs them inside.
    proc = subprocess.run(
        [str(python), "-m", "grader", "grade", "notebooks/", "--json", str(report), "--uncontained"],
        cwd=template,
        env=env,
        capture_output=True,
        text=True,
        timeout=GRADING_TIMEOUT,
    )
    release = subprocess.run(
        [str(python), "-m", "grader", "release"], cwd=template, env=env, capture_output=True, text=True, timeout=60
    )
    return {"where": where.stdout.split(), "proc": proc, "report": report, "release": release}


def test_the_template_is_graded_by_its_own_grader(template: Path, graded_template: dict[str, Any]) -> None:
    grader_file, weekfour_file = graded_template["where"]
    assert Path(grader_file).is_relative_to(template) and Path(weekfour_file).is_relative_to(template)


def test_the_untouched_template_scores_zero_of_the_public_maximum(graded_template: dict[str, Any]) -> None:
    proc = graded_template["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    (sub,) = json.loads(graded_template["report"].read_text(encoding="utf-8"))["submissions"]
    public = CheckRegistry(use_env=False, instructor=False)
    public_max = sum(info.max_points for n in NOTEBOOKS for info in public.exercises(n).values())
    full = sum(info.max_points for n in NOTEBOOKS for info in CheckRegistry(use_env=False).exercises(n).values())
    assert (sub["score"], sub["max_score"]) == (0, public_max) and public_max < full
    exercises = [e for nb in sub["notebooks"] for e in nb["exercises"]]
    assert len(exercises) == sum(len(public.exercises(n)) for n in NOTEBOOKS)
    for exercise in exercises:
        assert "not attempted yet" in exercise["feedback"], (exercise["id"], exercise["feedback"])
    assert proc.stdout.rstrip().splitlines()[-1] == f"Points 0/{public_max}"


def test_the_instructors_commands_say_they_are_not_the_learners(graded_template: dict[str, Any]) -> None:
    release = graded_template["release"]
    assert release.returncode == 2 and "instructor's command" in release.stderr, release.stderr
    assert "Traceback" not in release.stderr
