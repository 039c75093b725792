"""``--junit``: JUnit XML for CI, one test case per exercise, one suite per learner and notebook."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from grader.grade._results import SubmissionScore
from grader.grade._scrub import clean

__all__ = ["junit_xml", "write_junit"]


def junit_xml(results: Sequence[SubmissionScore]) -> str:
    root = ET.Element("testsuites", name="weekfour")
    for sub in results:
        for nb in sub.notebooks:
            suite = ET.SubElement(root, "testsuite", name=clean(f"{sub.learner}/{nb.name}"))
            failures = 0
            if nb.error:
                case = ET.SubElement(suite, "testcase", classname=clean(nb.name), name="notebook")
                error = clean(nb.error)
                ET.SubElement(case, "error", message=(error.splitlines() or [""])[0][:200]).text = error
            for ex in nb.exercises:
                case = ET.SubElement(suite, "testcase", classname=clean(nb.name), name=f"exercise {ex.id}")
                ET.SubElement(ET.SubElement(case, "properties"), "property", name="points", value=str(ex.points))
                if not ex.passed:
                    failures += 1
                    feedback = clean(ex.feedback)
                    first = feedback.splitlines()[0][:200] if feedback.strip() else "not passed"
                    ET.SubElement(
                        case, "failure", message=f"{ex.points}/{ex.max_points} points: {first}"
                    ).text = feedback
            suite.set("tests", str(len(nb.exercises) + (1 if nb.error else 0)))
            suite.set("failures", str(failures))
            suite.set("errors", "1" if nb.error else "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(results: Sequence[SubmissionScore], path: Path) -> None:
    path.write_text(junit_xml(results), encoding="utf-8")
