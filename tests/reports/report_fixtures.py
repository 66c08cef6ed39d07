"""Assess examples (and hostile temporary specs) once, for the report-format tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.cli.assess_cmd import load_paths, run_assessment
from cellguard.reports.formats import ReportContext
from cellguard.rules.engine import Assessment

TODAY = dt.date(2026, 11, 21)


@dataclass(frozen=True)
class Assessed:
    """An assessment with its graph."""

    assessment: Assessment
    graph: StackGraph

    def ctx(self, **kwargs: object) -> ReportContext:
        """A report context with the graph (and any other fields)."""
        return ReportContext(graph=self.graph, **kwargs)  # type: ignore[arg-type]


def assess(*paths: Path) -> Assessed:
    """Assess ``paths`` (relative to the working directory) with the built-in rules."""
    assessment = run_assessment(
        list(paths), rules=None, select=None, ignore=None, today=TODAY, plugins=False
    )
    return Assessed(assessment, build_graph(load_paths(list(paths))))
