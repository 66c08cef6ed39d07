"""GPU sharing: model endpoints that run on the same physical GPUs (issue 17 item 5).

``serving.gpu_sharing`` places an endpoint on GPUs it shares with other endpoints:

* ``mig``: Multi-Instance GPU partitions each GPU into isolated instances; the endpoint runs
  on one instance of ``profile`` (``3g.40gb``: 3 of 7 compute slices and 4 of 8 memory
  slices of an 80 GB part), so its throughput and memory are that slice's.
* ``mps``: the CUDA Multi-Process Service runs the endpoints' processes on the same GPUs at
  once, without memory isolation.
* ``time_slicing``: the GPUs are handed to the endpoints in turn (the Kubernetes device
  plugin's time-slicing replicas): no memory or fault isolation.

Endpoints naming the same ``group`` share those GPUs: they are one failure domain (the shared
GPUs, their driver, MIG or MPS configuration) and one capacity domain (their demand adds up on
the GPUs, and with MPS or time slicing their weights share the GPUs' memory).
"""

from enum import StrEnum

from pydantic import Field, model_validator

from cellguard.models.base import Reference, SpecModel


class GpuSharingMode(StrEnum):
    """How endpoints share GPUs."""

    MIG = "mig"
    MPS = "mps"
    TIME_SLICING = "time_slicing"


class GpuSharing(SpecModel):
    """The shared GPUs an endpoint runs on, and how they are shared."""

    mode: GpuSharingMode = Field(
        description=(
            "mig (isolated Multi-Instance GPU instances of a profile), mps (the CUDA "
            "Multi-Process Service: processes on the GPUs at once, no memory isolation) or "
            "time_slicing (the GPUs handed to each in turn: no memory or fault isolation)."
        )
    )
    profile: str | None = Field(
        None,
        pattern=r"^[1-7]g\.[0-9]+gb$",
        description=(
            "The MIG profile of the endpoint's instance, e.g. 3g.40gb (mig only; the profiles "
            "of serving.gpu in the catalog's mig_profiles.yaml)."
        ),
    )
    group: Reference = Field(
        description=(
            "Name of the shared GPUs: endpoints naming the same group run on the same GPUs "
            "(a name of this document, or 'other-stack/group' for another document's)."
        )
    )

    @model_validator(mode="after")
    def _profile_for_mig(self) -> "GpuSharing":
        """A MIG instance names its profile; MPS and time slicing have none."""
        if self.mode is GpuSharingMode.MIG and self.profile is None:
            raise ValueError(
                "gpu_sharing mode mig needs 'profile': the MIG instance the endpoint runs on, "
                "e.g. profile: 3g.40gb"
            )
        if self.mode is not GpuSharingMode.MIG and self.profile is not None:
            raise ValueError(
                f"'profile' is a MIG instance, but mode is {self.mode.value}: MPS and time "
                "slicing give each endpoint the whole GPU; remove profile or use mode mig"
            )
        return self
