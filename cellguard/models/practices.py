"""Stack-wide practices: evaluation, change management, chaos, observability and disaster recovery.

Every flag defaults to ``None`` (unknown), never to ``False``: a rule that needs a flag the
spec does not set reports UNKNOWN rather than FAIL.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from cellguard.models.base import Reference, SpecModel
from cellguard.models.dates import IsoDate
from cellguard.models.enums import ChaosExperimentType, DrStrategy


class Evaluation(SpecModel):
    """How output quality is evaluated."""

    offline: bool | None = Field(None, description="Offline evaluation before release.")
    online_feedback: bool | None = Field(None, description="Online feedback from production.")
    golden_set: bool | None = Field(None, description="A curated golden data set is kept.")


class ChangeManagement(SpecModel):
    """How changes reach production."""

    ci_cd: bool | None = Field(None, description="Changes ship through a CI/CD pipeline.")
    manual_prod_changes: bool | None = Field(None, description="People change production by hand.")
    rollback: bool | None = Field(None, description="A tested, fast rollback exists.")
    static_typing: bool | None = Field(
        None, description="Deprecated: read by no check, accepted with a warning and ignored."
    )


class ChaosExperiment(SpecModel):
    """A chaos experiment the team runs."""

    type: ChaosExperimentType = Field(description="What the experiment breaks.")
    targets: list[Reference] = Field(
        default_factory=lambda: [], description="Components the experiment targets."
    )
    last_run: IsoDate | None = Field(None, description="When it last ran.")


def _experiment_shorthand(value: Any) -> Any:
    """Accept a bare experiment type as shorthand for ``{type: ...}``."""
    if isinstance(value, str):
        return {"type": value}
    return value


ChaosExperimentItem = Annotated[
    ChaosExperiment,
    BeforeValidator(
        _experiment_shorthand, json_schema_input_type=ChaosExperiment | ChaosExperimentType
    ),
]


class Chaos(SpecModel):
    """Chaos engineering practice."""

    experiments: list[ChaosExperimentItem] | None = Field(
        None, description="Experiments run (a type, or a mapping with type, targets, last_run)."
    )


class ObservabilityPractice(SpecModel):
    """Which layers of telemetry exist."""

    metrics: bool | None = Field(None, description="Component metrics.")
    gpu_metrics: bool | None = Field(None, description="GPU metrics (DCGM or equivalent).")
    tracing: bool | None = Field(None, description="Traces across agents, tools and models.")
    user_feedback: bool | None = Field(None, description="End-user feedback is collected.")
    drift_baselines: bool | None = Field(
        None, description="Baselines to detect drift of embeddings, prompts and outputs."
    )


class DisasterRecovery(SpecModel):
    """The disaster recovery strategy."""

    strategy: DrStrategy | None = Field(None, description="The DR strategy.")
    recovery_region: str | None = Field(None, description="The region recovered into.")
    last_tested: IsoDate | None = Field(None, description="When failover was last tested.")


class Practices(SpecModel):
    """Stack-wide signals for correct output and operations."""

    evaluation: Evaluation = Field(default_factory=Evaluation, description="Evaluation.")
    change_management: ChangeManagement = Field(
        default_factory=ChangeManagement, description="Change management."
    )
    chaos: Chaos = Field(default_factory=Chaos, description="Chaos engineering.")
    observability: ObservabilityPractice = Field(
        default_factory=ObservabilityPractice, description="Observability layers."
    )
    disaster_recovery: DisasterRecovery = Field(
        default_factory=DisasterRecovery, description="Disaster recovery."
    )
