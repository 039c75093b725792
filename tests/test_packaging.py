"""The set-up a newcomer meets: one distribution, one lock, and every installer (make, conda, CI) reading the lock."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from packaging.markers import Marker
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LAB_LOCK = ROOT / "requirements" / "lab.txt"
TEST_LOCK = ROOT / "requirements" / "test.txt"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def entries(path: Path) -> list[tuple[str, str, str, int]]:
    """``(name, version, marker, hashes)`` for every pin of a lock file (a package may have one pin per marker)."""
    found: list[tuple[str, str, str, int]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match is not None:
            name, version, marker = match.groups()
            found.append((canonicalize_name(name), version, (marker or "").strip(), 0))
        elif line.strip().startswith("--hash=sha256:") and found:
            name, version, marker, hashes = found[-1]
            found[-1] = (name, version, marker, hashes + 1)
    return found


def locked(path: Path) -> dict[str, str]:
    """``{name: version}`` of the pins whose markers hold on this machine: what an install here gets."""
    return {n: v for n, v, m, _ in entries(path) if not m or Marker(m).evaluate()}


def test_every_dependency_is_pinned_to_a_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [spec for group in project.get("optional-dependencies", {}).values() for spec in group]
    for spec in [*project["dependencies"], *extras]:
        assert ">=" in spec and "<" in spec, f"{spec!r} needs a lower and an upper bound"


def test_the_locks_hold_every_dependency_with_hashes_and_agree_with_each_other() -> None:
    lab, test = locked(LAB_LOCK), locked(TEST_LOCK)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = {canonicalize_name(re.split(r"[<>=\[; ]", spec)[0]) for spec in project["dependencies"]}
    assert direct <= set(lab), f"requirements/lab.txt lacks {sorted(direct - set(lab))}: run make lock"
    assert {k: test[k] for k in lab if k in test} == lab, "the two locks pin different versions: run make lock"
    shared = {e[:3] for e in entries(LAB_LOCK)} - {e[:3] for e in entries(TEST_LOCK)}
    assert not shared, f"pins of requirements/lab.txt that requirements/test.txt lacks: {sorted(shared)}"
    for path in (LAB_LOCK, TEST_LOCK):
        unhashed = [name for name, _, _, hashes in entries(path) if not hashes]
        assert not unhashed, f"{path.name}: pins without a hash: {unhashed}"
        text = path.read_text(encoding="utf-8")
        assert "://" not in text, f"{path.name} names an index: installs must come from the machine's own config"


def test_this_environment_is_exactly_the_lock() -> None:
    """What ``make test`` installed is what requirements/test.txt says — on any machine, the same versions."""
    want = locked(TEST_LOCK)
    have = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    have.pop("weekfour", None)  # the course itself, installed editable beside the lock
    for tool in ("pip", "setuptools", "wheel"):  # the venv's own installers, not part of the lock
        if tool not in want:
            have.pop(tool, None)
    assert have == want, {
        k: (have.get(k), want.get(k))
        for k in set(have) ^ set(want) | {k for k in set(have) & set(want) if have[k] != want[k]}
    }


def test_conda_binder_and_the_workflows_install_from_the_lock() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pip_section == ["--require-hashes", "--no-deps", "-r requirements/lab.txt"]
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])
    assert "pip install --quiet --no-deps -e ." in (ROOT / "postBuild").read_text()
    assert '"postCreateCommand": "make setup"' in (ROOT / ".devcontainer" / "devcontainer.json").read_text()
    for workflow in ("grade.yml", "classroom.yml", "grade-cohort.yml"):
        text = (ROOT / ".github" / "workflows" / workflow).read_text()
        assert "--require-hashes --no-deps -r " in text and "requirements/lab.txt" in text, workflow
        assert not re.search(r"pip install (-e|--editable) \S+\s*$", text, re.M), f"{workflow} installs unlocked"


def _run_ci(tmp_path: Path, make_exit: int) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``.ci/run`` in a copy of the repository's layout, with a ``make`` that records how it was called."""
    repo, bin_dir = tmp_path / "repo", tmp_path / "bin"
    (repo / ".ci").mkdir(parents=True)
    bin_dir.mkdir()
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    calls = tmp_path / "calls"
    fake_make = bin_dir / "make"
    fake_make.write_text(f'#!/bin/sh\necho "$PWD $*" >> {calls}\nexit {make_exit}\n')
    fake_make.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "WEEKFOUR_CHROMIUM": "/nonexistent/chromium", "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(repo / ".ci" / "run")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    return done, calls.read_text().splitlines() if calls.exists() else []


def test_ci_runs_what_the_readme_tells_a_newcomer(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quick_start.splitlines()[1:] if line.strip()]
    assert commands == ["make lab", "make test"], "the quick start is two commands: make lab, make test"
    done, calls = _run_ci(tmp_path / "green", make_exit=0)
    # From the repository's top folder, wherever CI starts it, exactly the README's test command and nothing else.
    assert done.returncode == 0, done.stderr
    assert calls == [f"{tmp_path / 'green' / 'repo'} test"]
    failed, _ = _run_ci(tmp_path / "red", make_exit=3)
    assert failed.returncode == 3, "a failing make test must fail CI"
