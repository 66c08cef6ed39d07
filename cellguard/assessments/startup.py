"""Start-up time of a new replica: scale-out and replacement (issue 16 item 4).

A component that declares ``startup`` (:mod:`cellguard.models.components.startup`) starts a
replica in steps that run one after another::

    start-up = provision + image pull + weights pull + load

* **provision**: ``startup.provision_seconds`` when measured; for a replica on GPUs (hosting
  ``self_hosted`` or ``sagemaker``) otherwise the catalog's time to obtain a node bought with
  ``capacity.purchase`` of the replica's instance family
  (:mod:`cellguard.models.catalog.gpu_obtain`, labelled when an estimate); a replica that
  needs no GPU node counts none (it is scheduled on running nodes);
* **image pull** and **weights pull**: ``size_gb / gb_per_s`` of each source;
* **load**: ``startup.load_seconds`` (weights into GPU memory, warm-up).

A step whose figure the spec lacks is left out and named (the key to set): the total is then
a lower bound and says so. The **scale-out time** the capacity rules judge is the larger of
the declared ``serving.cold_start_seconds`` and this total: a measured cold start cannot be
shorter than pulling what the replica declares it pulls from its sources (a cache near the
node is declared as the source, with its bandwidth).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cellguard.models.catalog.gpu_obtain import obtain_time, serving_family
from cellguard.models.components.startup import Startup, StartupSource
from cellguard.models.findings import Evidence

GPU_HOSTINGS = ("self_hosted", "sagemaker")
"""Hostings whose replicas run on GPU nodes the stack obtains."""


@dataclass(frozen=True)
class StartStep:
    """One step of a replica's start-up and how its time was found."""

    name: str
    seconds: float
    how: str
    estimate: bool = False


@dataclass(frozen=True)
class StartupTime:
    """The start-up of one replica: its steps, and the keys whose figures are missing."""

    steps: tuple[StartStep, ...]
    missing: tuple[str, ...] = ()

    @property
    def seconds(self) -> float:
        """The known steps' total (a lower bound when :attr:`missing` is not empty)."""
        return sum(s.seconds for s in self.steps)

    @property
    def complete(self) -> bool:
        """Whether every step's time is known."""
        return not self.missing

    @property
    def estimate(self) -> bool:
        """Whether a step rests on a catalog estimate."""
        return any(s.estimate for s in self.steps)

    def arithmetic(self) -> str:
        """E.g. ``provision 300 s (...) + weights 140 GB / 0.5 GB/s = 280 s = 580 s``."""
        if not self.steps:
            total = "0 s"
        else:
            total = " + ".join(f"{s.name} {s.how}" for s in self.steps)
            total += f" = {figure(self.seconds)} s" if len(self.steps) > 1 else ""
        if self.missing:
            total += f" (at least: {', '.join(self.missing)} not declared)"
        return total

    def evidence(self) -> dict[str, Evidence]:
        """The figures for a finding's evidence."""
        found: dict[str, Evidence] = {
            "startup_seconds": round(self.seconds, 1),
            "startup_arithmetic": self.arithmetic(),
            "startup_complete": self.complete,
        }
        if self.estimate:
            found["startup_estimate"] = True
        return found


def figure(value: float) -> str:
    """``value`` to one decimal with thousands separators, without a trailing ``.0``
    (``1,441.5``, ``600``)."""
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def _pull(name: str, source: StartupSource) -> StartStep | None:
    seconds = source.pull_seconds
    if seconds is None or source.size_gb is None or source.gb_per_s is None:
        return None
    how = f"{figure(source.size_gb)} GB / {figure(source.gb_per_s)} GB/s = {figure(seconds)} s"
    return StartStep(name, seconds, how)


def _value(raw: object) -> str | None:
    value = getattr(raw, "value", raw)
    return None if value is None else str(value)


def runs_on_gpu_nodes(comp: object) -> bool:
    """A model served on GPU nodes the stack obtains (self-hosted or SageMaker)."""
    return _value(getattr(comp, "hosting", None)) in GPU_HOSTINGS


def provision_step(comp: object, startup: Startup) -> tuple[StartStep | None, str | None]:
    """The provisioning step, or the key whose absence leaves it unknown."""
    if startup.provision_seconds is not None:
        return StartStep(
            "provision", startup.provision_seconds, f"{figure(startup.provision_seconds)} s"
        ), None
    if not runs_on_gpu_nodes(comp):
        return None, None
    serving = getattr(comp, "serving", None)
    capacity = getattr(comp, "capacity", None)
    purchase = getattr(capacity, "purchase", None) if capacity is not None else None
    family = serving_family(serving)
    if family is None:
        return None, "serving.instance_types or serving.gpu"
    if purchase is None:
        return None, "capacity.purchase (or startup.provision_seconds)"
    entry = obtain_time(purchase, family)
    if entry is None:
        return None, "startup.provision_seconds"
    label = "catalog estimate" if entry.estimate else "catalog"
    how = f"{figure(entry.minutes * 60)} s ({label}: {purchase.value} {family})"
    return StartStep("provision", entry.minutes * 60, how, entry.estimate), None


def startup_time(comp: object, *, provision: bool = True) -> StartupTime | None:
    """The start-up of one of ``comp``'s replicas (``None``: it declares no ``startup``);
    without the provision step when ``provision`` is false (a recovery region's GPUs, whose
    obtain time is counted on its own)."""
    startup = getattr(comp, "startup", None)
    if not isinstance(startup, Startup):
        return None
    steps: list[StartStep] = []
    missing: list[str] = []
    step, lacking = provision_step(comp, startup) if provision else (None, None)
    if step is not None:
        steps.append(step)
    if lacking is not None:
        missing.append(lacking)
    for name, source in (("image", startup.image), ("weights", startup.weights)):
        if source is None:
            continue
        pulled = _pull(name, source)
        if pulled is not None:
            steps.append(pulled)
        else:
            missing.append(f"startup.{name}.size_gb and gb_per_s")
    for i, service in enumerate(startup.services):  # asked, not pulled, unless it says a size
        fetched = _pull(f"services[{i}] {service.name}", service)
        if fetched is not None:
            steps.append(fetched)
    if startup.load_seconds is not None:
        steps.append(StartStep("load", startup.load_seconds, f"{figure(startup.load_seconds)} s"))
    elif startup.weights is not None and runs_on_gpu_nodes(comp):
        missing.append("startup.load_seconds")
    return StartupTime(tuple(steps), tuple(missing))


@dataclass(frozen=True)
class ScaleOut:
    """The time a new replica takes to serve, and what it rests on."""

    seconds: float | None
    declared: float | None
    startup: StartupTime | None

    @property
    def from_startup(self) -> bool:
        """Whether the start-up's total sets it (it exceeds the declared cold start)."""
        return self.startup is not None and (
            self.declared is None or self.startup.seconds > self.declared
        )

    @property
    def judged_seconds(self) -> int | None:
        """The whole seconds a rule compares with its limits and prints: the declared cold
        start (``serving.cold_start_seconds``, whole seconds), or the start-up's total rounded
        UP when it sets the scale-out (120.4 s is over a 120 s limit; rounded to the nearest
        second it was 120 and passed)."""
        if not self.from_startup or self.seconds is None:
            return None if self.declared is None else round(self.declared)
        return math.ceil(round(self.seconds, 6))  # 541.9999999999999 s is 542, not 543

    def evidence(self) -> dict[str, Evidence]:
        """``scale_out_seconds`` and the start-up's figures (nothing without a start-up)."""
        if self.startup is None:
            return {}
        return {"scale_out_seconds": _rounded(self.seconds), **self.startup.evidence()}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def scale_out(comp: object, *, provision: bool = True) -> ScaleOut:
    """The larger of the declared cold start and the start-up's total (module docstring);
    ``provision`` false leaves the start-up's provision step out (:func:`startup_time`)."""
    serving = getattr(comp, "serving", None)
    raw = getattr(serving, "cold_start_seconds", None) if serving is not None else None
    declared = float(raw) if raw is not None else None
    startup = startup_time(comp, provision=provision)
    if startup is None or not startup.steps:
        return ScaleOut(declared, declared, startup)
    if declared is None and not startup.complete:
        return ScaleOut(None, None, startup)  # a partial start-up is no cold start
    seconds = startup.seconds if declared is None else max(declared, startup.seconds)
    return ScaleOut(seconds, declared, startup)


__all__ = [
    "ScaleOut",
    "StartStep",
    "StartupTime",
    "figure",
    "provision_step",
    "runs_on_gpu_nodes",
    "scale_out",
    "startup_time",
]
