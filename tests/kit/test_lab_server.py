"""The course's contents manager: JupyterLab gets each notebook with the kernel metadata it would write on open."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

from weekfour.labs.lab_server import SteadyContentsManager, kernel_metadata, settle_metadata

ROOT = Path(__file__).resolve().parents[2]


def test_the_kernel_metadata_is_what_the_kernel_reports() -> None:
    kernelspec, language_info = kernel_metadata()
    assert kernelspec["name"] == "python3" and kernelspec["language"] == "python" and kernelspec["display_name"]
    assert language_info["name"] == "python" and language_info["version"] == sys.version.split()[0]


def test_released_metadata_is_settled_and_settling_twice_changes_nothing() -> None:
    metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    assert settle_metadata(metadata) is True
    assert (metadata["kernelspec"], metadata["language_info"]) == kernel_metadata()
    assert settle_metadata(metadata) is False


def test_a_notebook_for_another_kernel_is_left_alone() -> None:
    metadata = {"kernelspec": {"name": "ir", "display_name": "R"}, "language_info": {"name": "R"}}
    before = {k: dict(v) for k, v in metadata.items()}
    assert settle_metadata(metadata) is False and metadata == before


def test_the_contents_manager_settles_what_it_serves_and_never_writes(tmp_path: Path) -> None:
    shutil.copy(ROOT / "notebooks" / "00-start-here.ipynb", tmp_path)
    on_disk = (tmp_path / "00-start-here.ipynb").read_bytes()
    manager = SteadyContentsManager(root_dir=str(tmp_path))
    model = asyncio.run(manager.get("00-start-here.ipynb"))
    metadata = model["content"]["metadata"]
    assert (metadata["kernelspec"], metadata["language_info"]) == kernel_metadata()
    assert (tmp_path / "00-start-here.ipynb").read_bytes() == on_disk
    listing = asyncio.run(manager.get(""))
    assert listing["type"] == "directory" and [c["name"] for c in listing["content"]] == ["00-start-here.ipynb"]
