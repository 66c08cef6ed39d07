"""Assess examples (and hostile temporary specs) once, for the report-format tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.cli.assessing import run_assessment
from cellguard.reports.formats import ReportContext
from cellguard.rules.engine import Assessment, run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import BASE_STACK, load_texts

TODAY = dt.date(2026, 11, 21)
ONE_ZONE = BASE_STACK.replace(
    "placement: {zones: 3}\n    replicas: 3", "placement: {zones: 1}\n    replicas: 1"
)
"""The base stack with its retriever on one replica in one zone (new failures against the base)."""


def assess_text(text: str) -> Assessment:
    """Assess one spec given as text with the built-in rules."""
    return run_rules(build_graph(load_texts(text)), load_rules(plugins=False), today=TODAY)


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
    assert assessment.graph is not None
    return Assessed(assessment, assessment.graph)
