"""The quantitative results reported beside the scores: availability, blast radius,
capacity and latency. Never folded into the scores (DESIGN §6)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cellguard.assessments.availability.blast import BlastRadius, blast_radius
from cellguard.assessments.availability.journeys import JourneyAvailability, journey_availability
from cellguard.assessments.availability.provenance import JourneyProvenance, journey_provenance
from cellguard.assessments.capacity import CapacityRow, capacity_rows
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.latency import LatencyRow, latency_rows


@dataclass(frozen=True)
class Figures:
    """Every table of an assessment, each sorted deterministically."""

    journeys: tuple[JourneyAvailability, ...]
    blast_radius: tuple[BlastRadius, ...]
    capacity: tuple[CapacityRow, ...]
    latency: tuple[LatencyRow, ...]
    provenance: dict[tuple[str, str], JourneyProvenance] = field(default_factory=dict, hash=False)
    """The priors behind each journey's availability, by ``(stack, journey)``."""

    def provenance_of(self, journey: JourneyAvailability) -> JourneyProvenance | None:
        """The prior provenance of ``journey`` (``None`` if it was not computed)."""
        return self.provenance.get((journey.stack, journey.journey))


def figures(graph: StackGraph) -> Figures:
    """Compute the figures of ``graph`` (journey availability and fleets are cached per graph)."""
    return Figures(
        tuple(journey_availability(graph)),
        tuple(blast_radius(graph)),
        tuple(capacity_rows(graph)),
        tuple(latency_rows(graph)),
        journey_provenance(graph),
    )
