"""The loss each change of a plan avoids, in plan order (issue 19 item 6).

The changes are replayed one by one on the original documents (as :mod:`.costing` replays
them), each state read back through the loader, and the journeys' expected loss per year
computed exactly (the fault trees of :mod:`cellguard.assessments.availability`); a change avoids
the loss it takes off the plan so far, per month. Attribution follows plan order: a change
that only helps together with a later one shows nothing and the later one the whole effect.
Only the documents a change edits are validated again, from the replayed data directly (not
written to YAML and parsed: that was two thirds of `plan` of the organisation example); their
source maps stay those of the original files, so a diagnostic on a new key points at its
nearest original ancestor -- these states are never reported, only scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pydantic import ValidationError

from cellguard.assessments.availability.journeys import journey_availability
from cellguard.assessments.graph import build_graph
from cellguard.models.loader import LoadedDocument, SpecLoadError, build_organisation
from cellguard.models.stack import DOCUMENT_ADAPTER
from cellguard.planner.costing import replay, spec_data
from cellguard.planner.model import Change


def _loss(documents: Sequence[LoadedDocument], org_mode: bool) -> float | None:
    try:
        graph = build_graph(build_organisation(list(documents), org_mode=org_mode))
    except SpecLoadError:
        return None
    losses = [j.loss_per_year for j in journey_availability(graph)]
    return sum(v for v in losses if v is not None)


def loss_avoided(
    documents: Sequence[LoadedDocument], changes: Sequence[Change], *, org_mode: bool
) -> list[float | None]:
    """Expected loss per month each change takes off (``None`` where a state does not load)."""
    data = spec_data({d.name: d.document for d in documents})
    current = {d.name: d for d in documents}
    before = _loss(list(current.values()), org_mode)
    out: list[float | None] = []
    for change in changes:
        data = replay(data, change.edits)
        try:
            for name in sorted({e.stack for e in change.edits} & current.keys()):
                document = DOCUMENT_ADAPTER.validate_python(data[name])
                current[name] = replace(current[name], document=document)
        except (SpecLoadError, ValidationError):
            out.append(None)
            before = None
            continue
        after = _loss(list(current.values()), org_mode)
        out.append(None if before is None or after is None else (before - after) / 12)
        before = after
    return out
