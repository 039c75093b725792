"""Reading and writing notebooks as plain JSON, with messages a learner can act on.

The grader's own process never imports nbformat (about 0.9 s of jsonschema loading): a notebook is a dict. Reading
joins multi-line strings the way nbformat does; writing splits them and uses nbformat's layout (indent 1, sorted
keys), so files written here are byte-identical to what Jupyter would save.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

__all__ = [
    "MAX_BYTES",
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "MAX_DEPTH",
    "Cell",
    "Notebook",
    "NotebookError",
    "cell_tags",
    "dumps_notebook",
    "load_notebook",
    "loads_notebook",
]

# Bounds on what a notebook file may be, far above any notebook of this course (the largest solution notebook, with
# its outputs, is well under 1 MB, about 150 cells, nested 8 deep): beyond them a file is refused with a message,
# never a crash of the grader (a JSON array nested 100,000 deep would otherwise be a RecursionError).
MAX_BYTES: Final = 32 * 1024 * 1024
MAX_CELLS: Final = 2000
MAX_CELL_CHARS: Final = 1_000_000
MAX_DEPTH: Final = 64

Notebook = dict[str, Any]
Cell = dict[str, Any]

_MULTILINE_OUTPUT_KEYS = ("text",)
_CELL_TYPES = {"code", "markdown", "raw"}


class NotebookError(Exception):
    """A file that cannot be graded as a notebook. The message says what is wrong and what to do."""


def _join(value: Any) -> Any:
    return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value


def _split(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    return text.splitlines(keepends=True)


def _depth(value: Any) -> int:
    """How deeply ``value`` nests lists and dicts (iteratively: a deep file cannot exhaust the stack here)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _too_big(name: str, what: str) -> NotebookError:
    return NotebookError(
        f"{name} is too large to grade ({what}). Clear the outputs (Edit > Clear Outputs of All Cells), remove what "
        "you pasted in, save, and submit again."
    )


def loads_notebook(text: str, *, name: str = "notebook") -> Notebook:
    if len(text) > MAX_BYTES:
        raise _too_big(name, f"more than {MAX_BYTES // 1024**2} MB")
    try:
        nb = json.loads(text)
    except RecursionError:
        raise NotebookError(f"{name} nests its JSON too deeply to be a notebook: restore it from git.") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}): the file is damaged. Open it in "
            "JupyterLab, or restore it from git, then save it again."
        ) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or "nbformat" not in nb:
        raise NotebookError(
            f"{name} is JSON but not a Jupyter notebook (no 'cells' list or 'nbformat'). Submit the .ipynb file "
            "you worked in."
        )
    if _depth(nb) > MAX_DEPTH:
        raise NotebookError(f"{name} nests its JSON more than {MAX_DEPTH} deep: not a notebook. Restore it from git.")
    if len(nb["cells"]) > MAX_CELLS:
        raise _too_big(name, f"{len(nb['cells'])} cells, more than {MAX_CELLS}")
    if nb.get("nbformat") != 4:
        raise NotebookError(
            f"{name} is in notebook format {nb.get('nbformat')!r}; save it with JupyterLab 4 (format 4)."
        )
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in _CELL_TYPES:
            raise NotebookError(
                f"{name}: cell {index} is not a notebook cell. Open and save the notebook in JupyterLab."
            )
        cell["source"] = _join(cell.get("source", ""))
        if not isinstance(cell["source"], str):
            raise NotebookError(f"{name}: cell {index} has no text source. Open and save the notebook in JupyterLab.")
        if len(cell["source"]) > MAX_CELL_CHARS:
            raise _too_big(name, f"cell {index + 1} holds more than {MAX_CELL_CHARS:,} characters")
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
        for output in cell.get("outputs", []) if isinstance(cell.get("outputs"), list) else []:
            if isinstance(output, dict):
                for key in _MULTILINE_OUTPUT_KEYS:
                    if key in output:
                        output[key] = _join(output[key])
                data = output.get("data")
                if isinstance(data, dict):
                    for mime, value in data.items():
                        data[mime] = _join(value)
    if not isinstance(nb.get("metadata"), dict):
        nb["metadata"] = {}
    return nb


def load_notebook(path: Path) -> Notebook:
    """Read ``path`` as a notebook or raise :class:`NotebookError` with a clear message."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _too_big(path.name, f"more than {MAX_BYTES // 1024**2} MB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotebookError(f"{path.name} is missing from the submission.") from None
    except OSError as exc:
        raise NotebookError(f"{path.name} could not be read ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{path.name} is not a text file, so not a notebook. Submit the .ipynb file.") from None
    return loads_notebook(text, name=path.name)


def dumps_notebook(nb: Notebook) -> str:
    """Serialise like ``nbformat.writes``: sources split into lines, indent 1, sorted keys, trailing newline."""
    out = json.loads(json.dumps(nb))  # a deep copy we may reshape
    for cell in out.get("cells", []):
        cell["source"] = _split(cell.get("source", ""))
        for output in cell.get("outputs", []):
            for key in _MULTILINE_OUTPUT_KEYS:
                if key in output:
                    output[key] = _split(output[key])
            data = output.get("data")
            if isinstance(data, dict):
                for mime, value in data.items():
                    if isinstance(value, str) and not mime.endswith("json"):
                        data[mime] = _split(value)
    return json.dumps(out, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def cell_tags(cell: Cell) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
