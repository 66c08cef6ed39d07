"""Checks that need the whole document: unique ids, references, placement against the topology.

References of the form ``stack/id`` are collected here and resolved by the organisation loader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cellguard.models.components import Agent, ComponentBase, TrainingJob
from cellguard.models.loader.catalog_checks import check_serving, check_zones
from cellguard.models.loader.deprecations import deprecated_keys
from cellguard.models.loader.document import LoadedDocument
from cellguard.models.loader.errors import Diagnostic, KeyPath, Suggester, one_of
from cellguard.models.loader.journey_checks import JourneyChecks
from cellguard.models.quoting import quoted
from cellguard.models.references import localise
from cellguard.models.stack import Stack


@dataclass(frozen=True)
class CrossReference:
    """A ``stack/id`` reference to resolve against the organisation."""

    file: LoadedDocument
    path: KeyPath
    ref: str
    what: str  # "component" or "shared domain"


@dataclass
class DocumentCheck:
    """Diagnostics of one document and the cross-stack references it makes."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    cross_refs: list[CrossReference] = field(default_factory=list)


class _Checker:
    def __init__(self, loaded: LoadedDocument) -> None:
        self.loaded = loaded
        self.doc = loaded.document
        self.out = DocumentCheck()
        self.component_ids = [c.id for c in self.doc.components]
        self.domain_ids = [d.id for d in self.doc.topology.shared_domains]
        self.suggest = Suggester()
        self._choices: dict[str, tuple[frozenset[str], str]] = {}
        self._name = self.doc.name  # read for every reference: once, not through the models
        self._region_names = [r.name for r in self.doc.topology.regions]  # for each placement

    def error(
        self,
        path: KeyPath,
        message: str,
        code: str,
        *,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.out.diagnostics.append(
            self.loaded.source.diagnostic(
                path, message, code=code, expected=expected, suggestion=suggestion
            )
        )

    def unique(self, values: Sequence[str], path: KeyPath, key: str | None, what: str) -> None:
        seen: dict[str, int] = {}
        for i, value in enumerate(values):
            item_path: KeyPath = (*path, i, key) if key else (*path, i)
            if value in seen:
                first, _ = self.loaded.source.locate(
                    (*path, seen[value], key) if key else (*path, seen[value])
                )
                self.error(
                    item_path,
                    f"duplicate {what} '{value}' (first defined at line {first.line})",
                    "duplicate-id",
                    suggestion=f"give each {what} a unique id",
                )
            else:
                seen[value] = i

    def local(self, ref: str) -> str:
        """``ref`` without this document's own name as qualifier (``me/x`` is ``x``)."""
        return localise(ref, self._name)

    def reference(self, path: KeyPath, ref: str, what: str = "component") -> None:
        self._local_reference(path, localise(ref, self._name), what)

    def _local_reference(self, path: KeyPath, ref: str, what: str = "component") -> None:
        """:meth:`reference` of ``ref`` made local already."""
        if "/" in ref:
            self.out.cross_refs.append(CrossReference(self.loaded, path, ref, what))
            return
        pool = self.component_ids if what == "component" else self.domain_ids
        if what not in self._choices:  # once per document: thousands of references may miss
            self._choices[what] = (frozenset(pool), one_of(pool))
        known, choices = self._choices[what]
        if ref in known:
            return
        near = self.suggest(ref, pool)
        self.error(
            path,
            f"unknown {what} {quoted(ref)}",
            "unknown-reference",
            expected=f"a {what} id of '{self.doc.name}': " + choices
            if pool
            else f"a {what} declared in '{self.doc.name}' (it declares none)",
            suggestion=f"did you mean '{near}'?" if near else None,
        )

    def member(
        self, path: KeyPath, value: str, pool: Iterable[str], what: str, scope: str = "the topology"
    ) -> bool:
        options = list(pool)
        if value in options:
            return True
        near = self.suggest(value, options)
        self.error(
            path,
            f"unknown {what} {quoted(value)}",
            "unknown-reference",
            expected=f"a {what} of {scope}: " + one_of(options),
            suggestion=f"did you mean '{near}'?" if near else None,
        )
        return False

    def run(self) -> DocumentCheck:
        self.topology()
        for i, comp in enumerate(self.doc.components):
            self.component(i, comp)
        self.unique(self.component_ids, ("components",), "id", "component")
        if isinstance(self.doc, Stack):
            self.business(self.doc)
        self.practices()
        self.waivers()
        self.out.diagnostics += deprecated_keys(self.loaded)
        return self.out

    def topology(self) -> None:
        topo = self.doc.topology
        check_zones(topo, self.error)
        self.unique(topo.accounts, ("topology", "accounts"), None, "account")
        self.unique([r.name for r in topo.regions], ("topology", "regions"), "name", "region")
        all_zones: list[str] = []
        zone_paths: list[KeyPath] = []
        for ri, region in enumerate(topo.regions):
            for zi, zone in enumerate(region.zones):
                all_zones.append(zone)
                zone_paths.append(("topology", "regions", ri, "zones", zi))
        seen: dict[str, KeyPath] = {}
        for zone, path in zip(all_zones, zone_paths, strict=True):
            if zone in seen:
                line = self.loaded.source.locate(seen[zone])[0].line
                self.error(
                    path, f"duplicate zone '{zone}' (first listed at line {line})", "duplicate-id"
                )
            seen.setdefault(zone, path)
        self.unique([c.id for c in topo.cells], ("topology", "cells"), "id", "cell")
        self.unique(self.domain_ids, ("topology", "shared_domains"), "id", "shared domain")
        region_names = [r.name for r in topo.regions]
        for ci, cell in enumerate(topo.cells):
            cell_path: KeyPath = ("topology", "cells", ci)
            cell_region = topo.region(cell.region)
            if cell_region is None:
                self.member((*cell_path, "region"), cell.region, region_names, "region")
                continue
            for zi, zone in enumerate(cell.zones or []):
                self.member(
                    (*cell_path, "zones", zi),
                    zone,
                    cell_region.zones,
                    "zone",
                    f"region {cell.region}",
                )

    def component(self, index: int, comp: ComponentBase) -> None:
        base: KeyPath = ("components", index)
        self.placement(base, comp)
        check_serving(comp, base, self.error, self.suggest)
        if (
            comp.min_healthy_replicas is not None
            and comp.replicas is not None
            and comp.min_healthy_replicas > comp.replicas
        ):
            self.error(
                (*base, "min_healthy_replicas"),
                f"min_healthy_replicas ({comp.min_healthy_replicas}) exceeds replicas ({comp.replicas})",
                "out-of-range",
                expected="at most the replicas per region",
            )
        # fields of some kinds only: read from the instance, without pydantic's slow miss
        # (getattr(comp, name, None) raised and caught an AttributeError for every other kind)
        autoscaling = comp.__dict__.get("autoscaling")
        if autoscaling is not None and autoscaling.min > autoscaling.max:
            self.error(
                (*base, "autoscaling", "min"),
                f"autoscaling.min ({autoscaling.min}) exceeds autoscaling.max ({autoscaling.max})",
                "out-of-range",
            )
        targets: dict[str, int] = {}
        for di, dep in enumerate(comp.depends_on):
            dpath: KeyPath = (*base, "depends_on", di)
            to = self.local(dep.to)
            if to == comp.id:
                self.error(
                    (*dpath, "to"), f"component '{comp.id}' depends on itself", "self-dependency"
                )
            else:
                self._local_reference((*dpath, "to"), to)
            if to in targets:
                self.error(
                    (*dpath, "to"),
                    f"'{comp.id}' already depends on '{dep.to}' (depends_on[{targets[to]}])",
                    "duplicate-dependency",
                    suggestion="merge the two entries",
                )
            targets.setdefault(to, di)
            if dep.fallback is not None:
                if self.local(dep.fallback) in (to, comp.id):
                    self.error(
                        (*dpath, "fallback"),
                        f"fallback '{dep.fallback}' cannot be the dependency itself or its caller",
                        "invalid-fallback",
                    )
                else:
                    self.reference((*dpath, "fallback"), dep.fallback)
        for si, domain in enumerate(comp.shared_domains):
            self.reference((*base, "shared_domains", si), domain, "shared domain")
        if isinstance(comp, TrainingJob) and comp.launch_queue is not None:
            self.reference((*base, "launch_queue"), comp.launch_queue)
        startup = comp.__dict__.get("startup")
        for key, source in startup.sources() if startup is not None else ():
            if source.component is not None:  # issue 16 item 4: start-up sources
                where = key.replace("[", ".").rstrip("]").split(".")
                path = tuple(int(p) if p.isdigit() else p for p in where)
                if self.local(source.component) == comp.id:
                    self.error(
                        (*base, "startup", *path, "component"),
                        f"component '{comp.id}' cannot start from itself",
                        "self-dependency",
                        suggestion="name the store, registry or service it pulls from, or an "
                        "external source",
                    )
                else:
                    self.reference((*base, "startup", *path, "component"), source.component)
        if isinstance(comp, Agent):
            for ti, tool in enumerate(comp.tools):
                self.reference((*base, "tools", ti), tool)
            if comp.host is not None:
                self.reference((*base, "host"), comp.host)

    def placement(self, base: KeyPath, comp: ComponentBase) -> None:
        placement = comp.placement
        if placement is None:
            return
        topo = self.doc.topology
        path: KeyPath = (*base, "placement")
        if placement.account is not None:
            self.member((*path, "account"), placement.account, topo.accounts, "account")
        regions = placement.regions or [topo.regions[0].name]
        known = self._region_names
        for ri, name in enumerate(placement.regions or []):
            self.member((*path, "regions", ri), name, known, "region")
        for name in regions:
            region = topo.region(name)
            if region is None:
                continue
            if isinstance(placement.zones, int) and placement.zones > len(region.zones):
                self.error(
                    (*path, "zones"),
                    f"placement asks for {placement.zones} zones but region {name} has "
                    f"{len(region.zones)} ({', '.join(region.zones)})",
                    "placement",
                    expected=f"at most {len(region.zones)}, or add zones to topology.regions",
                )
            elif isinstance(placement.zones, list):
                if len(regions) > 1:
                    self.error(
                        (*path, "zones"),
                        "explicit zone ids need exactly one region; use a zone count for several",
                        "placement",
                    )
                    return
                for zi, zone in enumerate(placement.zones):
                    self.member((*path, "zones", zi), zone, region.zones, "zone", f"region {name}")
        cells = [c.id for c in topo.cells]
        for ci, cell_id in enumerate(placement.cells or []):
            if self.member((*path, "cells", ci), cell_id, cells, "cell"):
                cell = next(c for c in topo.cells if c.id == cell_id)
                if cell.region not in regions:
                    self.error(
                        (*path, "cells", ci),
                        f"cell '{cell_id}' is in {cell.region}, outside the placement's regions "
                        f"({', '.join(regions)})",
                        "placement",
                    )

    def business(self, stack: Stack) -> None:
        journeys = stack.business.journeys
        self.unique([j.id for j in journeys], ("business", "journeys"), "id", "journey")
        for ji, journey in enumerate(journeys):
            self.reference(("business", "journeys", ji, "entrypoint"), journey.entrypoint)
        JourneyChecks(stack, self.local, self.reference, self.error, self.suggest).run()
        self.unique([r.id for r in stack.business.risks], ("business", "risks"), "id", "risk")
        for ri, risk in enumerate(stack.business.risks):
            for ci, comp in enumerate(risk.components):
                self.reference(("business", "risks", ri, "components", ci), comp)

    def practices(self) -> None:
        for ei, exp in enumerate(self.doc.practices.chaos.experiments or []):
            for ti, target in enumerate(exp.targets):
                self.reference(("practices", "chaos", "experiments", ei, "targets", ti), target)

    def waivers(self) -> None:
        targets = list(self.component_ids)
        if isinstance(self.doc, Stack):
            targets += [j.id for j in self.doc.business.journeys]
        known = set(targets)
        choices = ""
        for wi, waiver in enumerate(self.doc.waivers):
            if waiver.target is None or waiver.target in known or "/" in waiver.target:
                continue
            near = self.suggest(waiver.target, targets)
            choices = choices or one_of(targets)
            self.error(
                ("waivers", wi, "target"),
                f"waiver target {quoted(waiver.target)} is not a component or journey of "
                f"'{self.doc.name}'",
                "unknown-reference",
                expected=choices,
                suggestion=f"did you mean '{near}'?" if near else None,
            )


def check_document(loaded: LoadedDocument) -> DocumentCheck:
    """Run every single-document check on ``loaded``."""
    return _Checker(loaded).run()
