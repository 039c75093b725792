"""What learner code sees and says, made safe: a minimal environment for the kernel, clean text for the reports.

:func:`minimal_env` is the whole environment of the notebook runner and its kernel: no CI token or secret of the job
reaches learner code. :func:`clean` is applied to every learner-controlled string before it reaches a report:
terminal escapes and control characters go (newlines and tabs stay), and any secret value of the grader's own
environment is masked, in case one got in anyway. :func:`markdown` and :func:`html` escape for those formats; JUnit
relies on :func:`clean` (XML 1.0 has no encoding for most control characters) and ElementTree's escaping.
"""

from __future__ import annotations

import html as _html
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

__all__ = ["clean", "html", "markdown", "minimal_env", "secret_values"]

_ESCAPES: Final = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (colours, cursor movement)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (titles, hyperlinks)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]?"  # any other escape
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROL: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_SECRET_NAME: Final = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH", re.IGNORECASE)
_KEEP: Final = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT")
_MD_SPECIAL: Final = re.compile(r"([\\`*_\[\]|~#])")


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of variables that look secret (``*TOKEN*``, ``*KEY*``, ...), longest first."""
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if _SECRET_NAME.search(k) and len(v) >= 6}
    return sorted(values, key=len, reverse=True)


def clean(text: object, *, limit: int | None = None) -> str:
    """``text`` without terminal escapes, control characters or secrets of this environment (and cut to ``limit``)."""
    out = str(text).replace("\r\n", "\n").replace("\r", "\n")
    out = _CONTROL.sub("", _ESCAPES.sub("", out))
    for secret in secret_values():
        out = out.replace(secret, "***")
    if limit is not None and len(out) > limit:
        out = out[: max(0, limit - 10)] + "\n... (cut)"
    return out


def markdown(text: object) -> str:
    """Clean text for one Markdown table cell: HTML and Markdown syntax escaped, lines joined with ``<br>``."""
    out = _html.escape(clean(text), quote=False)
    out = _MD_SPECIAL.sub(r"\\\1", out)
    return out.replace("\n", "<br>")


def html(text: object) -> str:
    return _html.escape(clean(text), quote=True)


def minimal_env(scratch: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of the notebook runner and its kernel: ``PATH``, locale, a home in ``scratch``, ``extra``."""
    env = {k: os.environ[k] for k in _KEEP if k in os.environ}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, *(p for p in env.get("PATH", os.defpath).split(os.pathsep) if p)])
    env.setdefault("LANG", "C.UTF-8")
    home = scratch / "home"
    tmp = scratch / "tmp"
    for folder in (home, tmp):
        folder.mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "HOME": str(home),
            "USERPROFILE": str(home),
            "TMPDIR": str(tmp),
            "TEMP": str(tmp),
            "TMP": str(tmp),
            "IPYTHONDIR": str(home / ".ipython"),
            "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
            "JUPYTER_DATA_DIR": str(home / ".jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(scratch / "rt"),
            "MPLCONFIGDIR": str(home / ".matplotlib"),
            "MPLBACKEND": "Agg",
            "PYTHONNOUSERSITE": "1",
        }
    )
    env.update(extra)
    return env
