"""The set-up a newcomer meets: one distribution, and conda's environment in step with it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_names_the_same_packages_as_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda_specs = sorted(s for s in pip_section if not s.startswith("-e"))
    assert sorted(project["dependencies"]) == conda_specs, "environment.yml and pyproject.toml drifted apart"
    assert "-e ." in pip_section, "environment.yml must install the project itself"
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])


def test_every_dependency_is_pinned_to_a_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [spec for group in project.get("optional-dependencies", {}).values() for spec in group]
    for spec in [*project["dependencies"], *extras]:
        assert ">=" in spec and "<" in spec, f"{spec!r} needs a lower and an upper bound"


def test_ci_runs_what_the_readme_tells_a_newcomer() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make lab" in readme and "make test" in readme
    assert "make test" in ci
