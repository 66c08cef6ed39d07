"""Helpers the action modules share: component lookup, placement edits, regions and zones."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from cellguard.models.business import Journey, RouteCall
from cellguard.models.catalog.hardware import find_instance, instance_catalog
from cellguard.models.components import ComponentBase, Placement
from cellguard.models.findings import Finding
from cellguard.models.stack import Stack
from cellguard.models.topology import Cell, Region
from cellguard.planner.context import ActionContext
from cellguard.planner.model import Edit
from cellguard.planner.workspace import Workspace

RECOVERY_PREFERENCE = {
    "us-east-1": ("us-west-2", "us-east-2"),
    "us-east-2": ("us-west-2", "us-east-1"),
    "us-west-1": ("us-west-2", "us-east-2"),
    "us-west-2": ("us-east-1", "us-east-2"),
    "ca-central-1": ("ca-west-1",),
    "eu-west-1": ("eu-central-1", "eu-west-2"),
    "eu-west-2": ("eu-west-1", "eu-central-1"),
    "eu-west-3": ("eu-central-1", "eu-west-1"),
    "eu-central-1": ("eu-west-1", "eu-north-1"),
    "eu-central-2": ("eu-central-1", "eu-west-3"),
    "eu-north-1": ("eu-central-1", "eu-west-1"),
    "eu-south-1": ("eu-central-1", "eu-west-3"),
    "eu-south-2": ("eu-west-3", "eu-central-1"),
    "ap-northeast-1": ("ap-northeast-3", "ap-northeast-2"),
    "ap-northeast-3": ("ap-northeast-1",),
    "ap-southeast-1": ("ap-southeast-2", "ap-northeast-1"),
    "ap-southeast-2": ("ap-southeast-4", "ap-southeast-1"),
    "ap-south-1": ("ap-south-2",),
}
"""Preferred recovery region of a primary: another region of the same geography, far enough
to not share its weather, power grid or control plane (AWS whitepaper 'Disaster Recovery of
Workloads on AWS', 2021: choose a recovery region at a distance). A stack never recovers into
another geography unless ``topology.allowed_regions`` or ``plan --recovery-region`` says so: an
EU stack's data stays in the EU."""


def geography(region: str) -> str:
    """The geography of a region: ``eu`` of ``eu-west-1``, ``us-gov`` of ``us-gov-west-1``."""
    parts = region.split("-")
    return "-".join(parts[:2]) if len(parts) > 3 else parts[0]


_DIRECTIONS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def zone_ids(region: str, count: int = 3) -> list[str]:
    """AWS availability-zone ids of ``region`` (``us-west-2`` -> ``usw2-az1`` ...).

    AZ ids (not names) are the same in every account; the short region code follows AWS's
    convention: country, direction initials, number (see 'Availability Zone IDs for your AWS
    resources', AWS RAM user guide)."""
    match = re.fullmatch(r"([a-z]{2})-([a-z]+)-(\d+)", region)
    if match is None:
        raise ValueError(f"cannot derive zone ids of region {region!r}")
    code = f"{match[1]}{_DIRECTIONS.get(match[2], match[2][0])}{match[3]}"
    return [f"{code}-az{i}" for i in range(1, count + 1)]


def qid_parts(qid: str) -> tuple[str, str]:
    """``stack/id`` -> (stack, id)."""
    stack, _, cid = qid.partition("/")
    return stack, cid


def component(ws: Workspace, stack: str, cid: str) -> ComponentBase:
    """The current model of component ``cid`` of document ``stack``."""
    found = ws.document(stack).component(cid)
    if found is None:
        raise KeyError(f"no component {cid!r} in {stack!r}")
    return found


def target_component(ws: Workspace, finding: Finding) -> ComponentBase:
    """The component a component finding is about."""
    return component(ws, finding.stack, finding.target)


def free_id(ws: Workspace, stack: str, wanted: str) -> str:
    """``wanted`` if document ``stack`` has no component of that id, else ``stack-wanted``."""
    if ws.document(stack).component(wanted) is None:
        return wanted
    return f"{stack}-{wanted}"[:63]


MARGIN = 1.1
"""A caller waits its callee's worst case plus 10%, rounded up to a whole second."""


def wait_ms(worst_ms: float) -> int:
    """How long a caller waits for a callee whose calls take at most ``worst_ms``."""
    return math.ceil(worst_ms * MARGIN / 1000) * 1000


def journey_components(ctx: ActionContext, stack: str, journey_id: str) -> list[str]:
    """Every component the journey reaches (qualified ids), sorted."""
    return sorted(ctx.graph.journey_components(stack, journey_id))


def regions_of(ws: Workspace, stack: str, comp: ComponentBase) -> list[str]:
    """The regions ``comp`` runs in (its placement, else the stack's first region)."""
    if comp.placement is not None and comp.placement.regions:
        return list(comp.placement.regions)
    return [ws.document(stack).topology.regions[0].name]


def set_placement(ws: Workspace, stack: str, cid: str, **values: object) -> list[Edit]:
    """Set placement fields of a component, creating the placement if it has none."""
    comp = component(ws, stack, cid)
    edits: list[Edit] = []
    if comp.placement is None:
        edits += ws.set(stack, ("components", cid, "placement"), Placement())
    for key, value in values.items():
        edits += ws.set(stack, ("components", cid, "placement", key), value)
    return edits


def zone_count(ws: Workspace, stack: str, regions: Iterable[str]) -> int:
    """Fewest zones any of ``regions`` offers in the document's topology."""
    topo = ws.document(stack).topology
    counts = [len(r.zones) for r in topo.regions if r.name in set(regions)]
    return min(counts) if counts else 1


CELLS_PER_REGION = 2
"""Cells the planner creates in a region that has none."""


def ensure_cells(ws: Workspace, stack: str, regions: list[str]) -> tuple[list[Cell], list[Edit]]:
    """The stack's cells in ``regions``, creating two per region where there are none."""
    edits: list[Edit] = []
    for region in regions:
        edits += ensure_region(ws, stack, region)
        if any(c.region == region for c in ws.document(stack).topology.cells):
            continue
        code = zone_ids(region, 1)[0].split("-az")[0]
        for letter in "abcdefgh"[:CELLS_PER_REGION]:
            cell = Cell(id=f"cell-{code}-{letter}", region=region, partition="tenant-hash")
            edits += ws.add(stack, ("topology", "cells"), cell)
    cells = [c for c in ws.document(stack).topology.cells if c.region in regions]
    return cells, edits


def ensure_region(ws: Workspace, stack: str, region: str) -> list[Edit]:
    """Add ``region`` (with three zone ids) to the document's topology if it lacks it."""
    topo = ws.document(stack).topology
    if topo.region(region) is not None:
        return []
    return ws.add(stack, ("topology", "regions"), Region(name=region, zones=zone_ids(region)))


def instance_types_of(ws: Workspace) -> list[str]:
    """Every instance type a self-hosted or SageMaker model of the workspace names."""
    found: set[str] = set()
    for doc in ws.documents.values():
        for comp in doc.components:
            serving = getattr(comp, "serving", None)
            if serving is not None:
                found.update(serving.instance_types)
    return sorted(found)


def recovery_region(ws: Workspace, stack: str, wanted: str | None = None) -> tuple[str, str]:
    """The recovery region for ``stack`` and why it was chosen.

    ``wanted`` (``plan --recovery-region``) wins, then the recovery region the spec declares,
    then the stack's second region; else the first preferred partner of the primary region
    that the instance catalog lists for every GPU instance type the stack serves on, then any
    catalog region of the primary's geography that does, then the first preferred partner
    (saying that the catalog does not list the types there). Every candidate must be in
    ``topology.allowed_regions`` when the spec states them; a region of another geography is
    only chosen from there. ``ValueError`` when nothing qualifies."""
    doc = ws.document(stack)
    primary = doc.topology.regions[0].name
    allowed = list(doc.topology.allowed_regions)

    def ok(region: str) -> bool:
        return region != primary and (not allowed or region in allowed)

    if wanted is not None:
        if not ok(wanted):
            raise ValueError(
                f"--recovery-region {wanted} is "
                + ("the primary region" if wanted == primary else "not in topology.allowed_regions")
                + f" of {stack}"
            )
        return wanted, "the recovery region given with --recovery-region"
    dr = doc.practices.disaster_recovery
    if dr.recovery_region and ok(dr.recovery_region):
        return dr.recovery_region, "the recovery region the spec declares"
    for r in doc.topology.regions[1:]:
        if ok(r.name):
            return r.name, "the stack's second region"
    types = [find_instance(t) for t in instance_types_of(ws)]
    known = [t for t in types if t is not None]
    listed = ", ".join(sorted(t.name for t in known)) if known else "the stack"
    home = geography(primary)
    partners = [c for c in RECOVERY_PREFERENCE.get(primary, ()) if ok(c)]
    catalog = sorted({r for f in instance_catalog().families for r in f.regions})
    nearby = [r for r in catalog if geography(r) == home and ok(r) and r not in partners]
    for candidate in (*partners, *nearby):
        if all(candidate in t.regions for t in known):
            how = (
                f"the preferred partner of {primary}"
                if candidate in partners
                else f"a region of {primary}'s geography"
            )
            return candidate, f"{how} that the instance catalog lists for {listed}"
    check = "check with `aws ec2 describe-instance-type-offerings --region {}`"
    if partners:
        return partners[0], (
            f"the preferred partner of {primary} in its geography; the instance catalog does not "
            f"list {listed} there: " + check.format(partners[0])
        )
    same = [r for r in allowed if ok(r) and geography(r) == home]
    elsewhere = [r for r in allowed if ok(r)]
    for candidate in (*same, *elsewhere):
        return candidate, "the first other region topology.allowed_regions lists; " + check.format(
            candidate
        )
    raise ValueError(
        f"no recovery region known in the geography of {primary}: give one with "
        "--recovery-region or topology.allowed_regions"
    )


def is_stack(ws: Workspace, name: str) -> bool:
    """Whether document ``name`` is a Stack (not a Platform)."""
    return isinstance(ws.document(name), Stack)


def _routed(ws: Workspace, stack: str) -> list[Journey]:
    """The journeys of ``stack`` that declare a ``route``."""
    doc = ws.document(stack)
    if not isinstance(doc, Stack):
        return []
    return [j for j in doc.business.journeys if j.route is not None]


def onto_route(ws: Workspace, stack: str, journey_id: str, target: str) -> list[Edit]:
    """A call to ``target`` added to the journey's ``route`` when it declares one and does not
    list it (a journey without a route makes every call already): what a change puts on the
    journey's path then counts for it."""
    for journey in _routed(ws, stack):
        if journey.id == journey_id and not any(c.to == target for c in journey.route or ()):
            path = ("business", "journeys", journey_id, "route")
            return ws.add(stack, path, RouteCall(to=target))
    return []


def reroute(ws: Workspace, stack: str, old: str, new: str) -> list[Edit]:
    """After ``new`` takes over ``old``'s calls (and ``old`` calls ``new``): every route that
    reaches ``old`` lists ``new``, and its calls named ``from: old`` come from ``new``."""
    edits: list[Edit] = []
    for journey in _routed(ws, stack):
        calls = list(journey.route or ())
        if journey.entrypoint != old and not any(c.to == old for c in calls):
            continue
        moved = [c.model_copy(update={"caller": new}) if c.caller == old else c for c in calls]
        if not any(c.to == new for c in moved):
            moved.append(RouteCall(to=new))
        if moved != calls:
            edits += ws.set(stack, ("business", "journeys", journey.id, "route"), moved)
    return edits
