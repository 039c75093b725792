"""A JupyterLab server on loopback for the browser tests, and the browser that drives it.

The server serves a scratch folder (copies of the notebooks, never the working tree: JupyterLab saves what it runs),
with lab settings of its own (a kernel starts by itself, no news pop-up, every cell attached to the page) so neither
the learner's settings nor their workspaces are read or written.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

__all__ = [
    "CHROMIUM_ARGS",
    "LabServer",
    "LabStartError",
    "browser_requirements",
    "find_chromium",
    "in_ci",
    "start_lab",
]

# Flags that keep a headless chromium quiet and local: no GPU, no sandbox (CI runs as root), no background traffic.
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_CHROMIUM_NAMES: Final = ("chromium", "chromium-browser")
_CHROMIUM_ENV: Final = "WEEKFOUR_CHROMIUM"

# Lab settings for the test server only (written to its own settings folder).
LAB_SETTINGS: Final[dict[str, dict[str, object]]] = {
    # Without autoStartDefaultKernel a "Select Kernel" dialog sometimes appears and Run All does nothing;
    # windowing "none" keeps every cell in the page so the test can read all of them.
    "@jupyterlab/notebook-extension/tracker": {"autoStartDefaultKernel": True, "windowingMode": "none"},
    # The news and update notification would cover part of the page (and fetch from the internet).
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def in_ci() -> bool:
    """True when the ``CI`` environment variable says so (GitHub Actions and ``.ci/run`` set ``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_chromium() -> str | None:
    """The chromium executable: ``$WEEKFOUR_CHROMIUM``, else Debian's ``chromium`` on PATH, else None."""
    configured = os.environ.get(_CHROMIUM_ENV)
    if configured:
        return configured if Path(configured).is_file() else None
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_requirements() -> tuple[str | None, list[str]]:
    """The chromium path and what is missing to run the browser test (empty when everything is there)."""
    missing: list[str] = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (run `make test` or `pip install -e .` to install it)")
    chromium = find_chromium()
    if chromium is None:
        missing.append(
            "a chromium browser (Debian/Ubuntu: `apt-get install -y chromium`; or set WEEKFOUR_CHROMIUM to one)"
        )
    return chromium, missing


class LabStartError(RuntimeError):
    """JupyterLab did not come up; the message carries the end of its log."""


@dataclass
class LabServer:
    """A running ``jupyter lab`` serving ``root`` at ``url`` (no token, loopback only)."""

    url: str
    root: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    _drain: threading.Thread = field(repr=False)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, *, timeout: float = 20.0) -> None:
        """Stop the server (it shuts its kernels down) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        self._drain.join(timeout=timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), encoding="utf-8")


def _drain(stream: IO[bytes], log_path: Path, marker: str, ready: threading.Event) -> None:
    """Copy the server's log to a file; set ``ready`` when the line announcing its URL appears."""
    with log_path.open("wb") as log:
        for line in iter(stream.readline, b""):
            log.write(line)
            log.flush()
            if marker.encode() in line:
                ready.set()
    ready.set()  # the server ended: wake the waiter, which then sees the exit code


def start_lab(
    root: Path,
    work: Path,
    *,
    config_dir: Path | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = 90.0,
) -> LabServer:
    """Start JupyterLab serving ``root``; its settings, runtime files and log live under ``work``.

    ``config_dir`` becomes ``JUPYTER_CONFIG_DIR`` (default: an empty folder, so no user configuration is read);
    ``extra_args`` go on the command line after the test server's own (e.g. what ``make lab`` passes).
    """
    port = _free_port()
    settings_dir, workspaces_dir = work / "lab-settings", work / "lab-workspaces"
    runtime_dir, ipython_dir = work / "runtime", work / "ipython"
    config = config_dir if config_dir is not None else work / "jupyter-config"
    for folder in (settings_dir, workspaces_dir, runtime_dir, ipython_dir, config):
        folder.mkdir(parents=True, exist_ok=True)
    _write_settings(settings_dir)

    env = {k: v for k, v in os.environ.items() if not k.startswith("WEEKFOUR_")}
    env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(runtime_dir), IPYTHONDIR=str(ipython_dir))
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",  # loopback test server only: no token
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={workspaces_dir}",
        "--LabApp.extension_manager=readonly",  # no package index look-ups
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: the test reads cell models through it
        *extra_args,
    ]
    # The root: ``root`` itself, unless the extra arguments name one (``make lab`` says "." and runs in ``root``).
    if not any(arg.startswith("--ServerApp.root_dir=") for arg in extra_args):
        command.append(f"--ServerApp.root_dir={root}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = work / "jupyterlab.log"
    process = subprocess.Popen(
        command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    url = f"http://127.0.0.1:{port}"
    ready = threading.Event()
    drain = threading.Thread(target=_drain, args=(process.stdout, log_path, f"{url}/", ready), daemon=True)
    drain.start()
    server = LabServer(url=url, root=root, log_path=log_path, process=process, _drain=drain)
    if not ready.wait(timeout) or process.poll() is not None:
        server.stop()
        raise LabStartError(
            f"JupyterLab did not start within {timeout:.0f} s (exit code {process.returncode}). "
            f"Its log ({log_path}) ends with:\n{server.log_tail()}"
        )
    return server
