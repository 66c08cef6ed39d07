"""Business impact analysis: journeys with their impact, objectives and demand, and the risk register."""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from cellguard.models.base import (
    MAX_MINUTES,
    MAX_MS,
    MAX_PER_REPLICA,
    MAX_POPULATION,
    MAX_RATE,
    MAX_SECONDS,
    MAX_TOKENS,
    Identifier,
    Money,
    NonNegativeFloat,
    NonNegativeInt,
    Percent,
    PositiveInt,
    Reference,
    SpecModel,
)
from cellguard.models.enums import Criticality, Interaction, Likelihood, Reputation, RiskSeverity


class Impact(SpecModel):
    """What an outage of the journey costs."""

    revenue_per_hour: Money | None = Field(
        None, description="Money lost per hour of outage, in the stack's currency."
    )
    penalty_per_incident: Money | None = Field(
        None, description="Legal, contractual or compliance penalty per incident."
    )
    reputation: Reputation | None = Field(None, description="Reputational damage of an outage.")
    users: PositiveInt | None = Field(
        None, le=MAX_POPULATION, description="Number of users the journey serves."
    )


class Objectives(SpecModel):
    """Service level objectives of a journey."""

    availability: Percent | None = Field(
        None, description="Availability objective in percent over a month, e.g. 99.95."
    )
    ttft_p99_ms: PositiveInt | None = Field(
        None, le=MAX_MS, description="99th percentile time to first token, in milliseconds."
    )
    latency_p99_ms: PositiveInt | None = Field(
        None, le=MAX_MS, description="99th percentile end-to-end latency, in milliseconds."
    )
    rto_minutes: NonNegativeFloat | None = Field(
        None,
        le=MAX_MINUTES,
        description="Recovery time objective: longest tolerable outage, in minutes.",
    )
    rpo_minutes: NonNegativeFloat | None = Field(
        None,
        le=MAX_MINUTES,
        description="Recovery point objective: most data loss tolerable, in minutes.",
    )


class Surge(SpecModel):
    """A sudden rise in demand the journey must absorb."""

    multiplier: float = Field(
        ge=1,
        le=1000,
        description=(
            "Peak demand during the surge as a multiple of peak_rps (1: demand never rises "
            "above peak_rps)."
        ),
    )
    ramp_seconds: PositiveInt = Field(
        le=MAX_SECONDS, description="Seconds over which the surge arrives."
    )


class DemandUnit(StrEnum):
    """The unit a journey's work is counted in at the model endpoints it reaches."""

    TOKENS = "tokens"
    IMAGES = "images"
    EMBEDDINGS = "embeddings"
    AUDIO_SECONDS = "audio_seconds"
    REQUESTS = "requests"


class ImageDemand(SpecModel):
    """The images one request of the journey generates."""

    count: PositiveInt = Field(1, le=MAX_PER_REPLICA, description="Images per request.")
    steps: PositiveInt | None = Field(
        None, le=MAX_PER_REPLICA, description="Denoising steps per image, e.g. 30."
    )
    resolution: str | None = Field(
        None,
        pattern=r"^[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$",
        description="Width x height in pixels, e.g. 1024x1024.",
    )

    @property
    def pixels(self) -> int | None:
        """Width times height (``None`` without a resolution)."""
        if self.resolution is None:
            return None
        width, height = self.resolution.split("x")
        return int(width) * int(height)


class EmbeddingDemand(SpecModel):
    """The documents or chunks one request of the journey embeds."""

    count: PositiveInt = Field(
        1, le=MAX_PER_REPLICA, description="Documents or chunks embedded per request."
    )
    tokens_per_item: PositiveInt | None = Field(
        None, le=MAX_TOKENS, description="Mean tokens of one document or chunk."
    )


_UNIT_BLOCKS: dict[DemandUnit, str] = {
    DemandUnit.IMAGES: "images",
    DemandUnit.EMBEDDINGS: "embeddings",
    DemandUnit.AUDIO_SECONDS: "audio_seconds",
    DemandUnit.REQUESTS: "service_ms",
}


class Demand(SpecModel):
    """Load a journey puts on the stack, in the unit of its work (tokens by default)."""

    peak_rps: NonNegativeFloat | None = Field(
        None, le=MAX_RATE, description="Peak requests per second."
    )
    mean_rps: NonNegativeFloat | None = Field(
        None,
        le=MAX_RATE,
        description=(
            "Deprecated: read by no check (accepted with a warning); demand is judged at peak_rps."
        ),
    )
    unit: DemandUnit = Field(
        DemandUnit.TOKENS,
        description=(
            "What the model endpoints the journey reaches count its work in: tokens (default), "
            "images, embeddings (documents or chunks), audio_seconds or requests (each with "
            "service_ms). Capacity, static stability and latency use this unit. Omitted: "
            "the unit whose block (images, embeddings, audio_seconds, service_ms) is given, "
            "else tokens."
        ),
    )
    input_tokens: NonNegativeInt | None = Field(
        None,
        le=MAX_TOKENS,
        description=(
            "Mean input tokens per request (after retrieval augmentation); 0 for a journey "
            "that sends none."
        ),
    )
    output_tokens: NonNegativeInt | None = Field(
        None,
        le=MAX_TOKENS,
        description="Mean output tokens per request; 0 for a journey that receives none.",
    )
    images: ImageDemand | None = Field(
        None, description="Unit images: the images each request generates (count, steps, size)."
    )
    embeddings: EmbeddingDemand | None = Field(
        None, description="Unit embeddings: the documents or chunks each request embeds."
    )
    audio_seconds: NonNegativeFloat | None = Field(
        None,
        le=MAX_SECONDS,
        description="Unit audio_seconds: seconds of audio each request transcribes or speaks.",
    )
    service_ms: float | None = Field(
        None,
        gt=0,
        le=MAX_MS,
        description=(
            "Unit requests: milliseconds one request occupies a model replica's slot (a "
            "replica serves serving.max_concurrency of them at once, else one)."
        ),
    )
    surge: Surge | None = Field(None, description="The largest expected surge above peak.")

    @model_validator(mode="before")
    @classmethod
    def _infer_unit(cls, data: Any) -> Any:
        """Without ``unit``, the unit of the one block given (images, embeddings, ...)."""
        if not isinstance(data, dict) or "unit" in data:
            return data
        given = [unit for unit, key in _UNIT_BLOCKS.items() if data.get(key) is not None]
        if len(given) == 1:
            return {**data, "unit": given[0].value}
        return data

    @model_validator(mode="after")
    def _one_unit(self) -> "Demand":
        """A block of another unit than ``unit`` is a contradiction."""
        for unit, key in _UNIT_BLOCKS.items():
            if getattr(self, key) is not None and unit is not self.unit:
                raise ValueError(
                    f"'{key}' describes unit {unit.value}, but the demand's unit is "
                    f"{self.unit.value}: set 'unit: {unit.value}' or remove '{key}' (a "
                    "journey's demand has one unit)"
                )
        return self


class RouteCall(SpecModel):
    """A call a journey makes: a component on its path, or one dependency edge."""

    to: Reference = Field(description="The component called (``stack/id`` for another stack).")
    caller: Reference | None = Field(
        None,
        alias="from",
        description=(
            "The caller, to name one dependency edge (``from -> to``); omitted: every call "
            "to ``to`` from a component on the route."
        ),
    )
    share: float = Field(
        1.0,
        gt=0,
        le=1,
        description=(
            "Share of the requests reaching the caller that make this call (a call ratio, "
            "default 1): 0.1 for a model called by one request in ten. Demand, capacity and "
            "latency use it; availability does not (a required call fails the requests "
            "that make it)."
        ),
    )


def _route_shorthand(value: Any) -> Any:
    """Accept a bare component id as shorthand for ``{to: id}``."""
    if isinstance(value, str):
        return {"to": value}
    return value


RouteItem = Annotated[
    RouteCall,
    BeforeValidator(_route_shorthand, json_schema_input_type=RouteCall | Reference),
]
"""A route call, written either as a mapping or as a bare component id."""


class Delivery(StrEnum):
    """How an asynchronously produced answer reaches the waiting user."""

    WEBSOCKET = "websocket"
    SUBSCRIPTION = "subscription"
    PUSH = "push"
    POLLING = "polling"
    QUEUE = "queue"
    STREAM = "stream"


class AsyncAnswer(SpecModel):
    """The user waits for an answer that is produced asynchronously (after a queue or stream)."""

    producer: Reference = Field(
        description=(
            "The component whose work is the answer (the queue's consumer that calls the "
            "model); it must be reached from the entrypoint over the journey's calls."
        )
    )
    channel: Reference = Field(
        description=(
            "The component that carries the answer back to the user (an AppSync API or "
            "WebSocket gateway, an SNS topic, the endpoint polled); it may be the entrypoint."
        )
    )
    delivery: Delivery = Field(
        description="How the answer comes back: websocket, subscription, push, polling, queue "
        "or stream."
    )


class Journey(SpecModel):
    """A user-facing journey whose outage the business feels."""

    id: Identifier = Field(description="Journey id, unique within the stack.")
    description: str | None = Field(None, description="What the user does.")
    entrypoint: Reference = Field(description="The component where the journey enters the stack.")
    criticality: Criticality = Field(description="Business criticality tier (tier0 is highest).")
    interaction: Interaction | None = Field(
        None, description="How users experience the journey (chat, batch, agentic, ...)."
    )
    impact: Impact = Field(default_factory=Impact, description="What an outage costs.")
    objectives: Objectives = Field(
        default_factory=Objectives, description="Service level objectives."
    )
    demand: Demand = Field(default_factory=Demand, description="Load the journey generates.")
    route: list[RouteItem] | None = Field(
        None,
        min_length=1,
        description=(
            "The calls the journey makes, beyond its entrypoint: components (every call to "
            "them from the route), or edges with 'from'; each with the share of requests that "
            "make it. Omitted: every call the entrypoint reaches, each by every request."
        ),
    )
    answer: AsyncAnswer | None = Field(
        None,
        description=(
            "The user awaits an answer produced asynchronously: the calls on the way to its "
            "producer and the channel back count for availability and latency. Omitted: "
            "asynchronous calls are fire-and-forget."
        ),
    )


class Risk(SpecModel):
    """An entry of the risk register: likelihood times severity."""

    id: Identifier = Field(description="Risk id, unique within the stack.")
    description: str = Field(description="What could go wrong.")
    likelihood: Likelihood = Field(description="How likely the risk is to materialise.")
    severity: RiskSeverity = Field(description="How bad it is when it does.")
    components: list[Reference] = Field(
        default_factory=lambda: [], description="Components the risk concerns."
    )
    mitigation: str | None = Field(
        None,
        description=(
            "What is done about it, as text. Read by people: a control counts for CG-RED-013 "
            "only when the spec proves it (redundancy, a fallback, protections, tested backups)."
        ),
    )

    @property
    def score(self) -> int:
        """Likelihood (rare 1 .. almost_certain 5) times severity (minor 1 .. severe 4): 1-20."""
        return (list(Likelihood).index(self.likelihood) + 1) * (
            list(RiskSeverity).index(self.severity) + 1
        )

    @property
    def severe_and_likely(self) -> bool:
        """Likely or almost certain, and major or severe: a risk that needs a control."""
        return self.likelihood in (Likelihood.LIKELY, Likelihood.ALMOST_CERTAIN) and (
            self.severity in (RiskSeverity.MAJOR, RiskSeverity.SEVERE)
        )


class Business(SpecModel):
    """Business impact analysis of the stack."""

    journeys: list[Journey] = Field(
        min_length=1, description="The journeys the stack serves; at least one."
    )
    risks: list[Risk] = Field(default_factory=lambda: [], description="Optional risk register.")
