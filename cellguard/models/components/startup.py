"""What a replica needs to start: its weights, its image, licence or token services (issue 16 item 4).

A replica that scales out or replaces a failed one pulls its image from a registry and its
weights from a bucket or a model hub, and may have to ask a licence or token service before
it serves. These sources matter at start-up, not per request: their size and bandwidth set
the scale-out and replacement time, and their outages delay a replacement
(:mod:`cellguard.assessments.startup`). A source is a component of the stack (an
``object_store`` bucket, an image registry modelled as a component) or an external one
(a model hub) with its own figures.
"""

from pydantic import Field, model_validator

from cellguard.models.base import (
    MAX_HOURS,
    MAX_RATE,
    MAX_SECONDS,
    MAX_SIZE_GB,
    Percent,
    Reference,
    SpecModel,
)


class StartupSource(SpecModel):
    """One thing a replica fetches or asks before it serves, and where from."""

    component: Reference | None = Field(
        None,
        description=(
            "The component of the stack it comes from (an object_store bucket, an image "
            "registry); its availability is the component's own."
        ),
    )
    external: str | None = Field(
        None,
        min_length=1,
        description="An external source outside the stack, by name (e.g. huggingface-hub).",
    )
    availability: Percent | None = Field(
        None,
        description=(
            "An external source's availability in percent (omitted: unknown, and the wait "
            "for its outages is left out of the replacement time)."
        ),
    )
    outage_hours: float | None = Field(
        None,
        gt=0,
        le=MAX_HOURS,
        description="Mean length of one outage of an external source, hours (with availability).",
    )
    size_gb: float | None = Field(
        None, gt=0, le=MAX_SIZE_GB, description="Gigabytes one replica pulls from it."
    )
    gb_per_s: float | None = Field(
        None,
        gt=0,
        le=MAX_RATE,
        description="Gigabytes per second one replica pulls at (with size_gb).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "StartupSource":
        """One of component or external; an external source's figures go together."""
        if (self.component is None) == (self.external is None):
            raise ValueError(
                "a start-up source names either 'component' (a component of the stack) or "
                "'external' (a source outside it), exactly one of them"
            )
        if self.component is not None and (
            self.availability is not None or self.outage_hours is not None
        ):
            raise ValueError(
                "'availability' and 'outage_hours' describe an external source; a component "
                f"source ('{self.component}') has its own: set them on that component"
            )
        if (self.availability is None) != (self.outage_hours is None):
            raise ValueError(
                "'availability' and 'outage_hours' go together: the wait a replacement "
                "spends on a source's outage needs both how often and how long it is down"
            )
        if (self.size_gb is None) != (self.gb_per_s is None):
            raise ValueError(
                "'size_gb' and 'gb_per_s' go together: the pull takes size_gb / gb_per_s seconds"
            )
        return self

    @property
    def name(self) -> str:
        """The component reference or the external source's name."""
        return self.component if self.component is not None else str(self.external)

    @property
    def pull_seconds(self) -> float | None:
        """``size_gb / gb_per_s`` (``None``: nothing pulled, or no bandwidth)."""
        if self.size_gb is None or self.gb_per_s is None:
            return None
        return self.size_gb / self.gb_per_s


class Startup(SpecModel):
    """What a new replica needs before it serves: scale-out and replacement go through it.

    The steps run one after another: a node is provisioned, the image pulled, the weights
    pulled, the model loaded; services are asked once the replica starts.
    """

    weights: StartupSource | None = Field(
        None, description="Where the model weights come from, their size and the bandwidth."
    )
    image: StartupSource | None = Field(
        None, description="The image registry, the image's size and the pull bandwidth."
    )
    services: list[StartupSource] = Field(
        default_factory=lambda: [],
        description=(
            "Licence, token or secret services a replica must reach to start; with size_gb and "
            "gb_per_s, what it fetches from one (a tokenizer, an adapter) adds to the start-up."
        ),
    )
    provision_seconds: float | None = Field(
        None,
        ge=0,
        le=MAX_SECONDS,
        description=(
            "Seconds to get a node for the replica, measured (omitted: the catalog's time to "
            "obtain the GPU capacity by capacity.purchase and instance family)."
        ),
    )
    load_seconds: float | None = Field(
        None,
        ge=0,
        le=MAX_SECONDS,
        description="Seconds to load the pulled weights into GPU memory and warm up.",
    )

    @model_validator(mode="after")
    def _something(self) -> "Startup":
        """A start-up declares at least one source or time."""
        if (
            self.weights is None
            and self.image is None
            and not self.services
            and self.provision_seconds is None
            and self.load_seconds is None
        ):
            raise ValueError(
                "'startup' declares nothing: add weights, image, services, provision_seconds "
                "or load_seconds, or remove it"
            )
        return self

    def sources(self) -> list[tuple[str, StartupSource]]:
        """``(key, source)`` of every declared source (``services[i]`` for services)."""
        found: list[tuple[str, StartupSource]] = []
        if self.weights is not None:
            found.append(("weights", self.weights))
        if self.image is not None:
            found.append(("image", self.image))
        found += [(f"services[{i}]", s) for i, s in enumerate(self.services)]
        return found


__all__ = ["Startup", "StartupSource"]
