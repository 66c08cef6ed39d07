"""What a plan costs: the monthly cost of each change and of the whole plan (issue 19).

A spec's priced fleets are the GPU fleets of its self-hosted and SageMaker model endpoints:
``replicas`` per region x the instances a replica spans (``serving.gpus_per_replica`` over the
GPUs of ``serving.instance_types[0]``) x the instance-hour rate of the region x 730 hours, plus
reserved replicas beyond the running ones (an On-Demand Capacity Reservation is billed whether
used or not). Rates come from ``prices.yaml`` with their sources; a cost built on an estimate is
marked as one. Managed models (Bedrock) are usage-priced: a change that adds or moves one costs
nothing fixed and says its rate per million tokens. Anything else a change scales (apps, stores)
has no price in the catalog: its cost is reported unknown, never zero.

Changes are costed in plan order: each change's edits are replayed on the plain data of the
spec (as :func:`~cellguard.models.spec_writer.document_data` writes it) and the fleets compared
before and after, component by component.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from cellguard.models.catalog.hardware import find_instance
from cellguard.models.catalog.prices import price_catalog, token_price
from cellguard.models.loader import LoadedDocument
from cellguard.models.loader.document import parse_document
from cellguard.models.spec_writer import document_data
from cellguard.models.stack import Platform, Stack
from cellguard.planner.model import Change, Cost, Edit, EditOp

Data = dict[str, Any]

PRICED = ("self_hosted", "sagemaker")


@dataclass(frozen=True)
class _Fleet:
    usd: float | None
    estimate: bool
    line: str
    usage: str = ""


def _rate(instance: str, region: str) -> tuple[float, bool, str] | None:
    """(USD per instance-hour, estimate, where it comes from) of ``instance`` in ``region``."""
    cat = price_catalog()
    ec2 = cat.instance_hours
    estimate = ec2.estimate
    name = instance.strip().lower()
    if name.startswith("ml."):
        sm = cat.sagemaker
        if name in sm.prices:
            base, estimate, how = sm.prices[name], sm.estimate, "SageMaker rate"
        elif name[3:] in ec2.prices:
            base = ec2.prices[name[3:]] * sm.factor
            estimate, how = True, f"EC2 rate x {sm.factor:g} for SageMaker"
        else:
            return None
    elif name in ec2.prices:
        base, how = ec2.prices[name], "On-Demand rate"
    else:
        return None
    if region != ec2.region:
        factor = cat.regions.factors.get(region)
        if factor is None:
            return None
        base *= factor
        estimate = estimate or cat.regions.estimate
        how += f" x {factor:g} for {region}" if factor != 1 else f", as in {ec2.region}"
    return base, estimate, how


def _regions(comp: Data, doc: Data) -> list[str]:
    placement = comp.get("placement") or {}
    if placement.get("regions"):
        return [str(r) for r in placement["regions"]]
    regions = (doc.get("topology") or {}).get("regions") or []
    return [str(regions[0]["name"])] if regions else []


def _fleet(comp: Data, doc: Data) -> _Fleet | None:
    """The monthly cost of one component, ``None`` when it has no price (not a GPU fleet)."""
    hosting = comp.get("hosting")
    if hosting == "bedrock":
        model = (comp.get("model") or {}).get("name")
        price = token_price(str(model)) if model else None
        if price is None:
            return _Fleet(0.0, False, "", f"usage-priced ({model}: no rate in the catalog)")
        return _Fleet(
            0.0,
            price.estimate,
            "",
            f"usage-priced: ${price.input_per_million:.2f} in / ${price.output_per_million:.2f} "
            f"out per 1M tokens, paid for the traffic it serves ({price.source.cite()})",
        )
    serving = comp.get("serving") or {}
    types = serving.get("instance_types") or []
    if hosting not in PRICED or not types:
        return None
    instance = str(types[0])
    found = find_instance(instance)
    per_replica = math.ceil(int(serving.get("gpus_per_replica") or 1) / found.gpus) if found else 1
    replicas = int(comp["replicas"]) if comp.get("replicas") is not None else 1
    reserved = int((comp.get("capacity") or {}).get("reserved_replicas") or 0)
    cat = price_catalog()
    hours = cat.hours_per_month
    total, estimate, parts = 0.0, False, []
    for region in _regions(comp, doc):
        rate = _rate(instance, region)
        if rate is None:
            return _Fleet(None, True, f"no rate for {instance} in {region}")
        usd, est, how = rate
        running = replicas * per_replica
        idle = max(0, reserved - replicas) * per_replica * cat.reservations.odcr_factor
        total += (running + idle) * usd * hours
        estimate = estimate or est
        idle_text = f" + {idle:g} reserved idle" if idle else ""
        parts.append(
            f"{running}{idle_text} x {instance} in {region} at ${usd:,.4f}/h ({how}) x {hours:g} h"
        )
    return _Fleet(total, estimate, "; ".join(parts))


def _components(docs: Mapping[str, Data]) -> dict[tuple[str, str], tuple[Data, Data]]:
    return {
        (name, str(c.get("id"))): (c, doc)
        for name, doc in docs.items()
        for c in doc.get("components") or []
        if isinstance(c, dict)
    }


def _relevant(comp: Data | None) -> Data:
    """What a component's cost depends on: whether it exists, how many replicas run where, on
    what, reserved how, and (managed) which model."""
    if comp is None:
        return {}
    serving = comp.get("serving") or {}
    return {
        "kind": comp.get("kind"),
        "hosting": comp.get("hosting"),
        "model": (comp.get("model") or {}).get("name"),
        "replicas": comp.get("replicas"),
        "regions": (comp.get("placement") or {}).get("regions"),
        "instance_types": serving.get("instance_types"),
        "gpus_per_replica": serving.get("gpus_per_replica"),
        "reserved": (comp.get("capacity") or {}).get("reserved_replicas"),
    }


def difference(before: Mapping[str, Data], after: Mapping[str, Data]) -> Cost:
    """The monthly cost of going from the documents ``before`` to ``after``."""
    old, new = _components(before), _components(after)
    usd, estimate = 0.0, False
    lines: list[str] = []
    unknown: list[str] = []
    usage: list[str] = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if _relevant(a[0] if a else None) == _relevant(b[0] if b else None):
            continue
        qid = f"{key[0]}/{key[1]}"
        fa = _fleet(*a) if a else _Fleet(0.0, False, "")
        fb = _fleet(*b) if b else _Fleet(0.0, False, "")
        if fa is None or fb is None or fa.usd is None or fb.usd is None:
            known = fb if fb is not None else fa
            why = known.line if known is not None else ""
            unknown.append(f"{qid}: " + (why or "no price in the catalog for what it runs on"))
            continue
        delta = fb.usd - fa.usd
        if fb.usage and fb.usage != (fa.usage if a else ""):
            usage.append(f"{qid}: {fb.usage}")
        if abs(delta) < 0.005:
            continue
        usd += delta
        estimate = estimate or fa.estimate or fb.estimate
        now = fb.line or "removed"
        lines.append(f"{qid}: {_money(delta)}: {now} (was ${fa.usd:,.0f}/month)")
    return Cost(usd, estimate, tuple(lines), tuple(unknown), tuple(usage))


def _money(usd: float) -> str:
    return f"{'+' if usd >= 0 else '-'}${abs(usd):,.0f}/month"


def spec_data(documents: Mapping[str, Stack | Platform]) -> dict[str, Data]:
    """The plain data of each document, as the spec file says it."""
    return {name: document_data(doc) for name, doc in documents.items()}


def replay(
    docs: Mapping[str, Data], edits: Iterable[Edit], *, strict: bool = False
) -> dict[str, Data]:
    """``docs`` with ``edits`` applied (a copy); an edit whose path is not there is skipped,
    or (``strict``) raises ``LookupError``."""
    out = copy.deepcopy(dict(docs))
    for edit in edits:
        try:
            _apply(out[edit.stack], edit)
        except (KeyError, LookupError, TypeError):
            if strict:
                raise
    return out


def _select(items: list[Any], key: str) -> int:
    for i, item in enumerate(items):
        if item == key or (
            isinstance(item, dict) and key in (item.get("id"), item.get("to"), item.get("name"))
        ):
            return i
    raise LookupError(key)


def _apply(node: Any, edit: Edit) -> None:
    path = edit.path
    value = copy.deepcopy(edit.after)
    for seg in path[:-1]:
        node = node[_select(node, seg)] if isinstance(node, list) else node.setdefault(seg, {})
    last = path[-1]
    if isinstance(node, list):
        i = _select(node, last)
        if edit.op is EditOp.ADD:
            node[i].append(value)
        else:
            node[i] = value
    elif edit.op is EditOp.ADD:
        node.setdefault(last, []).append(value)
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value


def change_costs(
    documents: Mapping[str, Stack | Platform], changes: Sequence[Change]
) -> tuple[list[Cost], Cost]:
    """The cost of each change in plan order, and of the whole plan."""
    start = spec_data(documents)
    state = start
    costs = []
    for change in changes:
        after = replay(state, change.edits)
        costs.append(difference(state, after))
        state = after
    return costs, difference(start, state)


def within_budget(
    documents: Mapping[str, Stack | Platform], changes: Sequence[Change], budget: float
) -> tuple[list[Change], dict[int, tuple[str, Cost | None]]]:
    """The changes, in plan order, that keep the plan's monthly cost within ``budget`` USD,
    and why each other one (by index) is left out, with its cost where it would have gone.

    A change that would take the plan past the ceiling is left out and the next ones are
    tried (a cheaper one may still fit); a change that edits what a left-out change added
    goes too. Costs the catalog has no price for do not count (they are reported)."""
    state = spec_data(documents)
    spent = 0.0
    kept: list[Change] = []
    left: dict[int, tuple[str, Cost | None]] = {}
    for i, change in enumerate(changes):
        try:
            after = replay(state, change.edits, strict=True)
        except (KeyError, LookupError, TypeError):
            left[i] = ("it builds on a change left out over the budget", None)
            continue
        cost = difference(state, after)
        if spent + cost.usd > budget + 1e-9:
            why = (
                f"{_money(cost.usd)} would take the plan to ${spent + cost.usd:,.0f}/month, past "
                f"the ceiling of ${budget:,.0f}/month (plan --budget)"
            )
            left[i] = (why, cost)
            continue
        spent += cost.usd
        kept.append(change)
        state = after
    return kept, left


def needs_teams(documents: Mapping[str, Stack | Platform], change: Change) -> tuple[str, ...]:
    """The owners of what ``change`` edits that are not the owner of the finding's stack."""
    home = documents.get(change.finding.stack)
    own = home.metadata.owner if home is not None else None
    teams: set[str] = set()
    for edit in change.edits:
        doc = documents.get(edit.stack)
        if doc is None:
            continue
        owner = doc.metadata.owner
        if len(edit.path) >= 2 and edit.path[0] == "components":
            comp = next((c for c in doc.components if c.id == edit.path[1]), None)
            if comp is not None and comp.owner:
                owner = comp.owner
        if owner and owner != own:
            teams.add(owner)
    return tuple(sorted(teams))


def replayed_documents(
    documents: Sequence[LoadedDocument], changes: Sequence[Change]
) -> list[LoadedDocument]:
    """The documents with ``changes`` applied, read back through the loader."""
    data = replay(
        spec_data({d.name: d.document for d in documents}), [e for c in changes for e in c.edits]
    )
    return [
        parse_document(yaml.safe_dump(data[d.name], sort_keys=False), d.file) for d in documents
    ]
