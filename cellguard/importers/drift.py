"""Drift: where a spec and the Kubernetes manifests or CloudFormation templates it describes
disagree.

Each spec component is matched with a workload by its ``k8s/workload`` or ``cfn/resource``
label (what ``import`` writes), else by id. For each matched pair the keys the importer of that
source reads are compared (:mod:`~cellguard.importers.drift_sources` lists them): for
manifests replicas, zones, autoscaling range, GPU type, GPUs per replica, instance types,
capacity type, model name and pinned version, engine, image, rollout strategy, and the probes,
PodDisruptionBudget and priority class labels; for templates instance types and counts,
autoscaling bounds, zones, versioning, point-in-time recovery, zone awareness, replication,
health checks, the model and its version. A difference is reported when

- both say something and it differs (GPU names compared as the catalog names them, zone lists
  as sets, a zone count against a list by its length);
- the spec says something the source no longer has where absence means something (a
  PodDisruptionBudget, autoscaling, a priority class; S3 versioning, point-in-time recovery and
  ELB health checks, which are off by default): ``removed``, unless the spec states the
  default;
- the source says something the spec leaves out (labels only for components the importer
  made, the ones with an identity label): ``missing in the spec``;
- a workload is in one and not the other.

Every difference names the spec's file:line:column and the source's file:line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cellguard.importers.facts import IDENTITY_LABELS, Fact, SpecPath, Workload
from cellguard.importers.nodes import gpu_name
from cellguard.importers.zones import zone_fact
from cellguard.models.loader import LoadedDocument, load


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
class Source:
    """What the spec is compared with: the workloads read and how to speak of them."""

    noun: str
    """``manifests`` or ``templates``."""
    command: str
    """The command that drafts a component: ``import k8s``."""
    label: str
    """The identity label of its components: ``k8s/workload``, ``cfn/resource``."""
    files: list[str]
    workloads: list[Workload]
    keys: tuple[SpecPath, ...]
    """The keys compared, in report order."""
    absence: dict[SpecPath, tuple[Any, str, tuple[str, ...]]]
    """Keys whose absence from the source is itself a fact: the value it means (``None``:
    nothing), what it means, and the kinds of object it applies to (empty: all)."""


@dataclass(frozen=True)
class Difference:
    """One disagreement between the spec and the manifests or templates."""

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
    source: str = "manifests"
    """Where ``manifest_value`` comes from: ``manifests`` or ``templates``."""
    path: SpecPath = ()
    """The key inside the component (``("serving", "gpu")``); empty for a whole component."""


@dataclass
class DriftReport:
    """Every difference found, and what was compared."""

    spec: str
    manifests: list[str]
    differences: list[Difference] = field(default_factory=list)
    compared: int = 0
    sources: list[str] = field(default_factory=lambda: ["manifests"])
    """The nouns of the sources compared: ``manifests``, ``templates`` or both."""

    @property
    def against(self) -> str:
        """``the manifests``, ``the templates`` or ``the manifests and templates``."""
        return "the " + " and ".join(self.sources)


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
        # The spec holds zone ids (or a count), the source zone names (or a count): the same
        # zone has another name in each account, so only the numbers compare.
        return bool(_count(spec) == _count(manifest))
    return bool(_normal(path, spec) == _normal(path, manifest))


def _count(zones: Any) -> Any:
    return len(zones) if isinstance(zones, list) else zones


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

    def pair(self, doc: LoadedDocument, index: int, w: Workload, source: Source) -> None:
        comp = doc.document.components[index]
        data = comp.model_dump(mode="json", by_alias=True, exclude_none=True)
        imported = any(label in comp.labels for label in IDENTITY_LABELS)
        facts = dict(w.facts)
        zones = zone_fact(w)
        if zones is not None:
            facts[("placement", "zones")] = zones
        else:
            facts.pop(("placement", "zones"), None)
        for path in source.keys:
            if path[0] not in type(comp).model_fields:
                continue
            self.report.compared += 1
            spec = _spec_value(data, path)
            fact = facts.get(path)
            where = self.place(doc, ("components", index, *path))
            self.key(doc.name, comp.id, path, spec, fact, where, imported, w, source)

    def key(
        self,
        stack: str,
        component: str,
        path: SpecPath,
        spec: Any,
        fact: Fact | None,
        where: Place,
        imported: bool,
        w: Workload,
        source: Source,
    ) -> None:
        name = _dotted(path)
        said = f"{component} {name}: the spec says {_shown(spec)}"
        if spec is not None and fact is not None:
            if _same(path, spec, fact.value):
                return
            message = f"{said}, the {source.noun} {_shown(fact.value)}"
            self.add(stack, component, path, "changed", spec, fact, where, message, source)
        elif spec is not None and _absence_applies(source, path, w):
            default, meaning, _ = source.absence[path]
            if default is not None and _same(path, spec, default):
                return
            anchor = w.manifest.origin("metadata", "name")
            message = f"{said}, but {meaning} ({w.key})"
            self.add(
                stack, component, path, "removed", spec, Fact(None, anchor), where, message, source
            )
        elif spec is None and fact is not None and (imported or path[0] != "labels"):
            message = (
                f"{component} {name}: the {source.noun} say {_shown(fact.value)}, the spec "
                "does not say"
            )
            self.add(stack, component, path, "missing-in-spec", None, fact, where, message, source)

    def add(
        self,
        stack: str,
        component: str,
        path: SpecPath,
        kind: str,
        spec: Any,
        fact: Fact,
        where: Place,
        message: str,
        source: Source,
    ) -> None:
        manifest = Place(fact.origin.file, fact.origin.line)
        self.report.differences.append(
            Difference(
                stack,
                component,
                _dotted(path),
                kind,
                spec,
                fact.value,
                where,
                manifest,
                message,
                source.noun,
                path,
            )
        )


def _absence_applies(source: Source, path: SpecPath, w: Workload) -> bool:
    if path not in source.absence:
        return False
    kinds = source.absence[path][2]
    return not kinds or w.manifest.kind in kinds


Pair = tuple[LoadedDocument, int, Workload, Source]


def match(
    docs: list[LoadedDocument], sources: list[Source]
) -> tuple[list[Pair], list[tuple[LoadedDocument, int, str]]]:
    """Spec components with their workloads; components whose identity label names a workload
    of a source compared that is not there (with the label)."""
    by_key = {(w.label, w.key): (w, s) for s in sources for w in s.workloads}
    by_id = {w.id: (w, s) for s in reversed(sources) for w in s.workloads}
    labels = {s.label for s in sources}
    pairs: list[Pair] = []
    missing: list[tuple[LoadedDocument, int, str]] = []
    for doc in docs:
        for i, comp in enumerate(doc.document.components):
            named = [
                (label, comp.labels[label]) for label in IDENTITY_LABELS if label in comp.labels
            ]
            found = None
            if named:
                found = next((by_key[n] for n in named if n in by_key), None)
            else:
                found = by_id.get(comp.id)
            if found is not None:
                pairs.append((doc, i, *found))
            elif any(label in labels for label, _ in named):
                missing.append((doc, i, next(label for label, _ in named if label in labels)))
    return pairs, missing


def compare(spec: Path, sources: list[Source]) -> DriftReport:
    """Every difference between the spec at ``spec`` and the ``sources``."""
    org = load(spec)
    files = [f for s in sources for f in s.files]
    report = DriftReport(str(spec), files, sources=[s.noun for s in sources])
    comparer = _Comparer(report)
    pairs, missing = match(org.documents, sources)
    for doc, index, w, source in pairs:
        comparer.pair(doc, index, w, source)
    nouns = {s.label: s.noun for s in sources}
    for doc, index, label in missing:
        comp = doc.document.components[index]
        where = comparer.place(doc, ("components", index, "labels", label))
        report.differences.append(
            Difference(
                doc.name,
                comp.id,
                f"labels.{label}",
                "not-deployed",
                comp.labels[label],
                None,
                where,
                None,
                f"{comp.id}: the spec describes {comp.labels[label]}, which is not in the "
                f"{nouns[label]}",
                nouns[label],
            )
        )
    matched = {id(w) for _, _, w, _ in pairs}
    for source in sources:
        for w in source.workloads:
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
                    f"{w.key} is in the {source.noun} but no spec component describes it "
                    f"(cellguard {source.command} drafts one as {w.id!r})",
                    source.noun,
                )
            )
    return report
