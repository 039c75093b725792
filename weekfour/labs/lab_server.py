"""JupyterLab's server side of the course: notebooks open unmodified.

When a notebook's kernel starts, JupyterLab writes the kernel's name and language into the notebook's metadata
(``kernelspec.display_name``, the whole ``language_info``, Python's exact version included). The released notebooks
carry only the minimum (they are built on one machine and opened on many), so every notebook showed as modified the
moment it opened, before the learner typed anything. :class:`SteadyContentsManager` hands JupyterLab each notebook
with that metadata already as the kernel will report it, so there is nothing left for JupyterLab to change; the file
on disk is not touched (a save writes what JupyterLab would have written anyway).

``make lab`` starts JupyterLab with it:
``--ServerApp.contents_manager_class=weekfour.labs.lab_server.SteadyContentsManager``.
"""

from __future__ import annotations

import functools
from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

__all__ = ["SteadyContentsManager", "kernel_metadata", "settle_metadata"]

_NATIVE = "python3"  # the kernel the course runs: ipykernel on the server's own Python


@functools.cache
def kernel_metadata() -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``kernelspec`` and ``language_info`` JupyterLab writes once the course's kernel is up."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(_NATIVE)
    kernelspec = {"name": _NATIVE, "display_name": spec.display_name, "language": spec.language}
    return kernelspec, dict(IPythonKernel.language_info)


def settle_metadata(metadata: dict[str, Any]) -> bool:
    """Fill a notebook's metadata as the course's kernel will report it; True when anything changed.

    Only notebooks for that kernel are touched (their ``kernelspec.name`` is ``python3``, or they name none).
    """
    kernelspec, language_info = kernel_metadata()
    current = metadata.get("kernelspec") or {}
    if current.get("name", _NATIVE) != _NATIVE or (metadata.get("language_info") or {}).get("name", "python") != (
        "python"
    ):
        return False
    changed = current != kernelspec or metadata.get("language_info") != language_info
    metadata["kernelspec"] = dict(kernelspec)
    metadata["language_info"] = dict(language_info)
    return changed


class SteadyContentsManager(AsyncLargeFileManager):
    """The default contents manager, with each notebook's kernel metadata settled before JupyterLab sees it."""

    async def get(
        self,
        path: str,
        content: bool = True,
        type: str | None = None,
        format: str | None = None,
        require_hash: bool = False,
    ) -> dict[str, Any]:
        model: dict[str, Any] = await super().get(
            path, content=content, type=type, format=format, require_hash=require_hash
        )
        notebook = model.get("content") if model.get("type") == "notebook" else None
        if notebook is not None and isinstance(notebook.get("metadata"), dict):
            settle_metadata(notebook["metadata"])
        return model
