"""Components that hold or move data: vector stores, prompt stores, caches, queues, stores, pipelines."""

from typing import Literal

from pydantic import Field, model_validator

from cellguard.models.base import (
    MAX_HOURS,
    MAX_PER_REPLICA,
    MAX_POPULATION,
    MAX_RATE,
    MAX_SECONDS,
    MAX_SIZE_GB,
    MAX_VECTORS,
    NonNegativeFloat,
    PositiveInt,
    SpecModel,
)
from cellguard.models.components.common import ComponentBase, ServiceFields, StatefulFields
from cellguard.models.enums import DataContent, PipelineMode, StoreEngine, VectorEngine

MAX_RECEIVES = 1000
"""Most deliveries a queue's redrive policy may allow (SQS allows 1 to 1,000)."""


class DataVolume(SpecModel):
    """How much data a store holds and what it takes to recreate it."""

    recreate_hours: NonNegativeFloat | None = Field(
        None,
        le=MAX_HOURS,
        description="Hours to recreate the data from source (e.g. re-embedding).",
    )
    vectors: PositiveInt | None = Field(
        None,
        le=MAX_VECTORS,
        description="Deprecated: read by no check (accepted with a warning); use recreate_hours.",
    )
    size_gb: NonNegativeFloat | None = Field(
        None,
        le=MAX_SIZE_GB,
        description="Deprecated: read by no check (accepted with a warning); use recreate_hours.",
    )
    tenants: PositiveInt | None = Field(
        None, le=MAX_POPULATION, description="Tenants or departments whose data it holds."
    )


class VectorStore(ComponentBase, StatefulFields):
    """A vector database or index."""

    kind: Literal["vector_store"] = Field(description="Component kind.")
    engine: VectorEngine | None = Field(None, description="Vector engine.")
    data: DataVolume | None = Field(None, description="Data volume and recreate time.")
    multi_az: bool | None = Field(None, description="Deployed with standby across zones.")


class PromptStore(ComponentBase, StatefulFields):
    """A store of prompt templates and their versions."""

    kind: Literal["prompt_store"] = Field(description="Component kind.")
    engine: StoreEngine | None = Field(None, description="Storage engine.")
    versioning: bool | None = Field(
        None, description="Every change makes a new, immutable version; old versions stay readable."
    )
    versioned: bool | None = Field(
        None, description="Deprecated spelling of 'versioning' (accepted with a warning)."
    )

    @model_validator(mode="after")
    def _old_spelling(self) -> "PromptStore":
        """Fold the deprecated ``versioned`` into ``versioning``; a contradiction is an error."""
        if self.versioned is None:
            return self
        if self.versioning is not None and self.versioning != self.versioned:
            raise ValueError(
                f"'versioned: {str(self.versioned).lower()}' contradicts "
                f"'versioning: {str(self.versioning).lower()}'; drop 'versioned'"
            )
        object.__setattr__(self, "versioning", self.versioned)
        return self


class Cache(ComponentBase, StatefulFields):
    """A cache, possibly a semantic (embedding-similarity) cache."""

    kind: Literal["cache"] = Field(description="Component kind.")
    engine: StoreEngine | None = Field(None, description="Cache engine.")
    semantic: bool | None = Field(None, description="Matches semantically similar prompts.")
    ttl_seconds: PositiveInt | None = Field(None, le=MAX_SECONDS, description="Entry lifetime.")


class Queue(ComponentBase):
    """A queue or stream decoupling producers from consumers."""

    kind: Literal["queue"] = Field(description="Component kind.")
    engine: StoreEngine | None = Field(None, description="Queue engine.")
    dead_letter: bool | None = Field(None, description="Failed messages go to a dead-letter queue.")
    fifo: bool | None = Field(None, description="Ordered delivery.")
    consumer_concurrency: PositiveInt | None = Field(
        None,
        le=MAX_PER_REPLICA,
        description=(
            "Messages the consumers (the queue's dependencies) process at once, e.g. a Lambda "
            "event source's maximum concurrency: the servers of the queue's M/M/c wait."
        ),
    )
    max_receive_count: PositiveInt | None = Field(
        None,
        le=MAX_RECEIVES,
        description=(
            "Deliveries of a message before it moves to the dead-letter queue (the redrive "
            "policy): a message that keeps failing is processed this many times."
        ),
    )
    visibility_timeout_seconds: PositiveInt | None = Field(
        None,
        le=MAX_SECONDS,
        description=(
            "Seconds a received message stays hidden: a consumer still working after it sees "
            "the message delivered again."
        ),
    )


class ObjectStore(ComponentBase, StatefulFields):
    """An object store (model artifacts, fine-tuning data, documents)."""

    kind: Literal["object_store"] = Field(description="Component kind.")
    engine: StoreEngine | None = Field(None, description="Storage engine (s3, efs, ...).")
    contents: list[DataContent] = Field(default_factory=lambda: [], description="What it holds.")
    versioning: bool | None = Field(None, description="Object versioning enabled.")
    data: DataVolume | None = Field(None, description="Data volume and recreate time.")


class Database(ComponentBase, StatefulFields):
    """An operational database (sessions, conversations, metadata)."""

    kind: Literal["database"] = Field(description="Component kind.")
    engine: StoreEngine | None = Field(None, description="Database engine.")
    contents: list[DataContent] = Field(default_factory=lambda: [], description="What it holds.")
    multi_az: bool | None = Field(None, description="Deployed with standby across zones.")
    data: DataVolume | None = Field(None, description="Data volume and recreate time.")


class Source(SpecModel):
    """A source an ingestion pipeline reads."""

    name: str = Field(min_length=1, description="Source name, e.g. confluence.")
    throttled: bool | None = Field(None, description="Reads are throttled to the source's limits.")
    retries: bool | None = Field(None, description="Failed reads are retried with backoff.")
    rate_limit_rps: NonNegativeFloat | None = Field(
        None, le=MAX_RATE, description="Read rate the source allows."
    )


class IngestionPipeline(ComponentBase, ServiceFields):
    """A pipeline that chunks, embeds and indexes documents."""

    kind: Literal["ingestion_pipeline"] = Field(description="Component kind.")
    mode: PipelineMode | None = Field(None, description="batch or streaming.")
    sources: list[Source] = Field(default_factory=lambda: [], description="Sources read.")
    parallelism: PositiveInt | None = Field(
        None, le=MAX_PER_REPLICA, description="Concurrent embedding requests at most."
    )
    schedule: str | None = Field(None, description="When batch runs happen (cron or prose).")
    validation: bool | None = Field(
        None, description="Output is validated before the index is swapped in."
    )
