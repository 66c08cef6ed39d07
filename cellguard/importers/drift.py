"""Drift: where a spec and the Kubernetes manifests it describes disagree.

Each spec component is matched with a workload by its ``k8s/workload`` label (what ``import
k8s`` writes), else by id. For each matched pair the keys the importer reads are compared:
replicas, zones, autoscaling range, GPU type, GPUs per replica, instance types, capacity type,
model name and pinned version, engine, image, rollout strategy, and the probes, PodDisruption
Budget and priority class labels. A difference is reported when

- both say something and it differs (GPU names compared as the catalog names them, zone lists
  as sets, a zone count against a list by its length);
- the spec says something the manifests no longer have where absence means something (a
  PodDisruptionBudget, autoscaling, a priority class): ``removed``;
- the manifests say something the spec leaves out (labels only for components the importer
  made, the ones with a ``k8s/workload`` label): ``missing in the spec``;
- a workload is in one and not the other.

Every difference names the spec's file:line:column and the manifest's file:line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cellguard.importers.draft import zone_fact
from cellguard.importers.facts import (
    LABEL_PDB,
    LABEL_PRIORITY,
    LABEL_PROBES,
    LABEL_WORKLOAD,
    Fact,
    SpecPath,
    Workload,
)
from cellguard.importers.k8s import Imported, read_k8s
from cellguard.importers.nodes import gpu_name
from cellguard.models.loader import LoadedDocument, load

COMPARED: tuple[SpecPath, ...] = (
    ("replicas",),
    ("placement", "zones"),
    ("autoscaling", "min"),
    ("autoscaling", "max"),
    ("serving", "gpu"),
    ("serving", "gpus_per_replica"),
    ("serving", "instance_types"),
    ("gpu",),
    ("instance_types",),
    ("capacity", "purchase"),
    ("model", "name"),
    ("model", "pinned_version"),
    ("serving", "engine"),
    ("image", "reference"),
    ("rollout", "strategy"),
    ("labels", LABEL_PROBES),
    ("labels", LABEL_PDB),
    ("labels", LABEL_PRIORITY),
)
"""The keys compared, in report order."""

ABSENCE_MEANS = {
    ("labels", LABEL_PDB): "no PodDisruptionBudget selects it any more",
    ("labels", LABEL_PRIORITY): "its pods name no priority class any more",
    ("autoscaling", "min"): "no autoscaler targets it any more",
    ("autoscaling", "max"): "no autoscaler targets it any more",
}
"""Keys whose absence from the manifests is itself a fact, and what it means."""


@dataclass(frozen=True)
class Place:
    """A file, a line and (in the spec) a column."""

    file: str
    line: int
    column: int | None = None

    def __str__(self) -> str:
        """``file:line[:column]``."""
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")


@dataclass(frozen=True)
class Difference:
    """One disagreement between the spec and the manifests."""

    stack: str
    component: str
    key: str
    kind: str
    """``changed``, ``removed`` (from the manifests), ``missing-in-spec``, ``not-deployed``
    (a spec component without its workload) or ``not-in-spec`` (a workload the spec lacks)."""
    spec_value: Any
    manifest_value: Any
    spec_place: Place
    manifest_place: Place | None
    message: str


@dataclass
class DriftReport:
    """Every difference found, and what was compared."""

    spec: str
    manifests: list[str]
    differences: list[Difference] = field(default_factory=list)
    compared: int = 0


def _dotted(path: SpecPath) -> str:
    return ".".join(path)


def _spec_value(data: dict[str, Any], path: SpecPath) -> Any:
    current: Any = data
    for step in path:
        if not isinstance(current, dict) or step not in current:
            return None
        current = current[step]
    return None if current == [] else current


def _normal(path: SpecPath, value: Any) -> Any:
    if value is None:
        return None
    if path[-1] == "gpu":
        return gpu_name(str(value))
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    return value


def _same(path: SpecPath, spec: Any, manifest: Any) -> bool:
    if path == ("placement", "zones"):
        if isinstance(spec, list) and isinstance(manifest, int):
            return len(spec) == manifest
        if isinstance(spec, int) and isinstance(manifest, list):
            return spec == len(manifest)
    return bool(_normal(path, spec) == _normal(path, manifest))


def _shown(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


class _Comparer:
    def __init__(self, report: DriftReport) -> None:
        self.report = report

    def place(self, doc: LoadedDocument, path: tuple[str | int, ...]) -> Place:
        pos, _ = doc.source.locate(path)
        return Place(doc.file, pos.line, pos.column)

    def pair(self, doc: LoadedDocument, index: int, w: Workload) -> None:
        comp = doc.document.components[index]
        data = comp.model_dump(mode="json", by_alias=True, exclude_none=True)
        imported = LABEL_WORKLOAD in comp.labels
        facts = dict(w.facts)
        zones = zone_fact(w)
        if zones is not None:
            facts[("placement", "zones")] = zones
        else:
            facts.pop(("placement", "zones"), None)
        for path in COMPARED:
            if path[0] not in type(comp).model_fields:
                continue
            self.report.compared += 1
            spec = _spec_value(data, path)
            self.key(doc, index, comp.id, path, spec, facts.get(path), imported, w)

    def key(
        self,
        doc: LoadedDocument,
        index: int,
        component: str,
        path: SpecPath,
        spec: Any,
        fact: Fact | None,
        imported: bool,
        w: Workload,
    ) -> None:
        where = self.place(doc, ("components", index, *path))
        name = _dotted(path)
        if spec is not None and fact is not None:
            if _same(path, spec, fact.value):
                return
            self.add(
                doc,
                component,
                name,
                "changed",
                spec,
                fact,
                where,
                f"{component} {name}: the spec says {_shown(spec)}, the manifests "
                f"{_shown(fact.value)}",
            )
        elif spec is not None and path in ABSENCE_MEANS:
            workload = Fact(None, w.manifest.origin("metadata", "name"))
            self.add(
                doc,
                component,
                name,
                "removed",
                spec,
                workload,
                where,
                f"{component} {name}: the spec says {_shown(spec)}, but {ABSENCE_MEANS[path]} "
                f"({w.key})",
            )
        elif spec is None and fact is not None and (imported or path[0] != "labels"):
            self.add(
                doc,
                component,
                name,
                "missing-in-spec",
                None,
                fact,
                where,
                f"{component} {name}: the manifests say {_shown(fact.value)}, the spec "
                "does not say",
            )

    def add(
        self,
        doc: LoadedDocument,
        component: str,
        key: str,
        kind: str,
        spec: Any,
        fact: Fact | None,
        where: Place,
        message: str,
    ) -> None:
        manifest = Place(fact.origin.file, fact.origin.line) if fact is not None else None
        value = fact.value if fact is not None else None
        self.report.differences.append(
            Difference(doc.name, component, key, kind, spec, value, where, manifest, message)
        )


def _match(
    docs: list[LoadedDocument], imported: Imported
) -> tuple[list[tuple[LoadedDocument, int, Workload]], list[tuple[LoadedDocument, int]]]:
    by_key = {w.key: w for w in imported.ctx.workloads}
    by_id = {w.id: w for w in imported.ctx.workloads}
    pairs: list[tuple[LoadedDocument, int, Workload]] = []
    missing: list[tuple[LoadedDocument, int]] = []
    for doc in docs:
        for i, comp in enumerate(doc.document.components):
            label = comp.labels.get(LABEL_WORKLOAD)
            w = by_key.get(label) if label else by_id.get(comp.id)
            if w is not None:
                pairs.append((doc, i, w))
            elif label:
                missing.append((doc, i))
    return pairs, missing


def compare(spec: Path, manifests: list[str], *, stdin: BinaryIO | None = None) -> DriftReport:
    """Every difference between the spec at ``spec`` and the manifests at ``manifests``."""
    org = load(spec)
    imported = read_k8s(manifests, stdin=stdin)
    report = DriftReport(str(spec), imported.files)
    comparer = _Comparer(report)
    pairs, missing = _match(org.documents, imported)
    for doc, index, w in pairs:
        comparer.pair(doc, index, w)
    for doc, index in missing:
        comp = doc.document.components[index]
        label = comp.labels[LABEL_WORKLOAD]
        where = comparer.place(doc, ("components", index, "labels", LABEL_WORKLOAD))
        report.differences.append(
            Difference(
                doc.name,
                comp.id,
                f"labels.{LABEL_WORKLOAD}",
                "not-deployed",
                label,
                None,
                where,
                None,
                f"{comp.id}: the spec describes {label}, which is not in the manifests",
            )
        )
    matched = {id(w) for _, _, w in pairs}
    for w in imported.ctx.workloads:
        if id(w) in matched or not org.documents:
            continue
        doc = org.documents[0]
        origin = w.manifest.origin("metadata", "name")
        report.differences.append(
            Difference(
                doc.name,
                w.id,
                "components",
                "not-in-spec",
                None,
                w.key,
                comparer.place(doc, ("components",)),
                Place(origin.file, origin.line),
                f"{w.key} is in the manifests but no spec component describes it "
                f"(cellguard import k8s drafts one as {w.id!r})",
            )
        )
    return report
