"""``python -m grader template DEST``: write the learner template, a repository ready to push (see docs/instructors.md).

It holds the notebooks, the course kit, the grader's runtime with the public checks only, the set-up files, a learner
README, the learner workflows (``grade.yml``, and ``classroom.yml`` written for the template's own checks) — and no
solution, no hidden check, no test or wrong-answer fixture, no authoring doc (``_layout`` lists what stays behind).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from grader._registry import CheckRegistry
from grader.template._layout import course_files
from grader.template._makefile import learner_makefile
from grader.template._readme import TemplateError, learner_readme

__all__ = ["COURSE_ROOT", "TemplateError", "TemplateReport", "write_template"]

COURSE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(slots=True)
class TemplateReport:
    dest: Path
    files: list[Path] = field(default_factory=list)  # relative to dest
    public_points: int = 0
    full_points: int = 0


def _numbers(notebooks: list[str]) -> list[int]:
    return sorted({int(name[:2]) for name in notebooks if name[:2].isdigit()})


def _check_dest(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise TemplateError(
            f"{dest} is not empty: the template is written into a new (or empty) folder, so nothing of yours is "
            "overwritten or mixed in. Pass a folder that does not exist yet."
        )


def write_template(dest: Path, *, root: Path = COURSE_ROOT) -> TemplateReport:
    """Write the learner template of the course at ``root`` into ``dest`` (new or empty)."""
    from grader.grade.reports._classroom import classroom_exercises, classroom_workflow

    _check_dest(dest)
    if not (root / "notebooks").is_dir() or not (root / "README.md").is_file():
        raise TemplateError(f"{root} is not the course repository (no notebooks/ or README.md): run it from there")
    public = CheckRegistry(use_env=False, instructor=False)
    notebooks = sorted(p.name for p in (root / "notebooks").glob("*.ipynb"))
    numbers = _numbers(notebooks)
    hidden = [s.key for n in numbers for s in public.checks(n) if s.hidden]
    if hidden:
        raise TemplateError(
            f"grader/checks/ holds hidden checks ({', '.join(hidden)}): move them to instructor/checks/ so that the "
            "template does not ship them"
        )
    exercises = [info for n in numbers for info in public.exercises(n).values()]
    report = TemplateReport(
        dest,
        public_points=sum(e.max_points for e in exercises),
        full_points=sum(e.full_points for e in exercises),
    )
    written: dict[Path, str] = {
        Path("README.md"): learner_readme(
            (root / "README.md").read_text(encoding="utf-8"),
            notebooks=notebooks,
            public_points=report.public_points,
            full_points=report.full_points,
        ),
        Path(".github", "workflows", "classroom.yml"): classroom_workflow(
            classroom_exercises(public, [Path(n) for n in notebooks])
        ),
    }
    if (root / "Makefile").is_file():
        written[Path("Makefile")] = learner_makefile((root / "Makefile").read_text(encoding="utf-8"))
    dest.mkdir(parents=True, exist_ok=True)
    for relative in course_files(root):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
        report.files.append(relative)
    for relative, text in written.items():
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        report.files.append(relative)
    report.files.sort()
    return report
