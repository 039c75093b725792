"""One JupyterLab server and one headless chromium for the whole browser module.

The server is started as ``make lab LAB_ARGS=--no-browser`` starts it (its arguments are read from the Makefile), on
a scratch copy of the course laid out as the repository is (``notebooks/``, ``solutions/``, the kit's
``weekfour/agent.py``), with the configuration Binder's ``postBuild`` writes.

Without chromium or playwright the tests skip with the reason (a learner's ``make test``); when ``CI`` is set, a
missing browser fails them instead: CI must run them (``.ci/run`` installs Debian's chromium).
Screenshots land in ``tests/browser/artifacts/`` (git-ignored; CI uploads it).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ._lab import CHROMIUM_ARGS, LabServer, LabStartError, browser_requirements, in_ci, start_lab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1400, "height": 2400}  # the notebook scrolls inside Lab: a tall page shows more of it


def make_lab_args() -> list[str]:
    """The arguments ``make lab LAB_ARGS=--no-browser`` gives ``jupyter lab`` (read from a dry run of the Makefile).

    The set-up stamp is a fresh file of its own: never ``STAMP=Makefile`` — make remakes an out-of-date makefile even
    under ``-n``, and that recipe is the lab install, which would take the test packages out of the running venv."""
    with tempfile.TemporaryDirectory() as tmp:
        stamp = Path(tmp) / "stamp"
        stamp.touch()  # newer than pyproject.toml and the lock: the set-up counts as done
        dry = subprocess.run(
            ["make", "--no-print-directory", "-n", "lab", "LAB_ARGS=--no-browser", f"STAMP={stamp}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    words = shlex.split(dry.stdout.replace("\\\n", " "))
    start = next(i for i, w in enumerate(words) if w.endswith("/jupyter") and words[i + 1] == "lab")
    return words[start + 2 :]


def solution_notebooks() -> list[str]:
    """The authored notebooks, by file name: the tests are parametrized over whatever exists."""
    return sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    chromium, missing = browser_requirements()
    if missing or chromium is None:
        reason = "the JupyterLab browser test needs " + " and ".join(missing)
        if in_ci():
            pytest.fail(f"{reason}. CI must run this test: `.ci/run` installs chromium before `make test`.")
        pytest.skip(reason)
    return chromium


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Path:
    """A scratch copy of the course as a learner's server sees it: solutions/ and freshly built notebooks/.

    Also runs the repository's ``postBuild`` (what Binder runs) with HOME in the scratch folder, so the server below
    starts with the configuration Binder would give it.
    """
    base = tmp_path_factory.mktemp("lab")
    root = base / "course"
    (root / "solutions").mkdir(parents=True)
    for name in solution_notebooks():
        shutil.copy2(ROOT / "solutions" / name, root / "solutions" / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "release",
            "--source",
            str(root / "solutions"),
            "--dest",
            str(root / "notebooks"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if built.returncode != 0:
        pytest.fail(f"`python -m grader release` could not build the learner notebooks:\n{built.stdout}{built.stderr}")
    (root / "weekfour").mkdir()
    shutil.copy2(ROOT / "weekfour" / "agent.py", root / "weekfour" / "agent.py")  # notebook 00 says: read it
    home = base / "home"
    home.mkdir()
    # The course is already installed here (make test did it): postBuild's install step is Binder's, not ours.
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_CONFIG_DIR"} | {
        "HOME": str(home),
        "WEEKFOUR_SKIP_INSTALL": "1",
    }
    post = subprocess.run(
        ["bash", str(ROOT / "postBuild")], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    if post.returncode != 0:
        pytest.fail(f"postBuild failed:\n{post.stdout}{post.stderr}")
    return root


@pytest.fixture(scope="module")
def lab(course_copy: Path) -> Iterator[LabServer]:
    work = course_copy.parent / "server"
    try:
        server = start_lab(
            course_copy, work, config_dir=course_copy.parent / "home" / ".jupyter", extra_args=make_lab_args()
        )
    except LabStartError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, headless=True, args=list(CHROMIUM_ARGS))
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, lab: LabServer) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()
