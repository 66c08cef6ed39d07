"""What an importer found: values with the file and line they came from, grouped per workload."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from cellguard.importers.manifests import Manifest, Origin

SpecPath = tuple[str, ...]
"""A key path inside one component of the spec: ``("serving", "gpu")``."""

LABEL_WORKLOAD = "k8s/workload"
LABEL_PROBES = "k8s/probes"
LABEL_PDB = "k8s/pdb"
LABEL_PRIORITY = "k8s/priority-class"
LABEL_SERVED_NAME = "k8s/served-model-name"
LABEL_SCHEDULE = "k8s/schedule"
LABEL_ACCELERATORS = "k8s/accelerators"
LABEL_RESOURCE = "cfn/resource"
"""Component labels the importer writes for what the spec has no key of its own for
(``k8s/workload`` names the Kubernetes object of a component, ``cfn/resource`` the
CloudFormation resource)."""

IDENTITY_LABELS = (LABEL_WORKLOAD, LABEL_RESOURCE)
"""Labels that tie a spec component to what it was imported from."""


@dataclass(frozen=True)
class Wording:
    """How the draft's comments name where values come from (Kubernetes or CloudFormation)."""

    source: str = "manifests"
    """What was read: ``the manifests say ...``, ``not in the templates``."""
    place: str = "the cluster"
    """What runs the stack: ``the cloud account the cluster runs in``."""
    pool: str = "node pool"
    """What a shared domain made by the importer is."""
    kind_by: str = "by its image"
    """Why a workload is the component kind it is, when it is not an app or a model."""


K8S_WORDING = Wording()
CFN_WORDING = Wording(
    source="templates",
    place="the stack",
    pool="SageMaker endpoint",
    kind_by="by its resource type",
)


@dataclass(frozen=True)
class Fact:
    """One value for the spec, where it was found, and an optional note on how it was read."""

    value: Any
    origin: Origin
    note: str = ""


@dataclass(frozen=True)
class Text:
    """A string that may hold a service address, where it is and what held it."""

    text: str
    origin: Origin
    where: str
    """What held it: ``env OPENAI_BASE_URL``, ``args``, ``ConfigMap rag-config key LLM_URL``."""


@dataclass(frozen=True)
class Address:
    """A service address found in an environment variable, an argument or a config map."""

    host: str
    namespace: str | None
    origin: Origin
    where: str
    """What held it: ``env OPENAI_BASE_URL``, ``args``, ``ConfigMap rag-config key LLM_URL``."""


@dataclass
class Workload:
    """One deployable thing found in the manifests, and the spec values it gives."""

    manifest: Manifest
    component_kind: str
    facts: dict[SpecPath, Fact] = field(default_factory=dict)
    pod_labels: dict[str, str] = field(default_factory=dict)
    service_names: set[str] = field(default_factory=set)
    """Names it answers to without a Service object of its own (operator-made Services)."""
    texts: list[Text] = field(default_factory=list)
    """Strings that may hold the addresses of other workloads."""
    config_refs: list[tuple[str, str | None, Origin, str]] = field(default_factory=list)
    """Config maps the pods read: (name, key or None for all keys, origin, variable)."""
    secrets: list[tuple[str, Origin]] = field(default_factory=list)
    node_pools: list[tuple[str, Origin]] = field(default_factory=list)
    node_selector: dict[str, tuple[list[str], Origin]] = field(default_factory=dict)
    tolerations: list[tuple[str, Origin]] = field(default_factory=list)
    exposed: Fact | None = None
    zone_spread: tuple[str, Origin] | None = None
    """How the pods are spread over zones: ``required`` (a DoNotSchedule topology spread
    constraint), ``anti-affinity`` (required pod anti-affinity on the zone) or ``preferred``."""
    kind_why: str = ""
    """Why it is the component kind it is, when neither its engine, its GPUs nor its image says."""
    suffix: str = ""
    """Distinguishes several components made from one object (one per served model)."""
    id: str = ""
    label: ClassVar[str] = LABEL_WORKLOAD
    """The component label naming the object (:attr:`key`) in the draft."""

    @property
    def key(self) -> str:
        """``Kind/namespace/name`` of the object, with the suffix when there are several."""
        base = self.manifest.key
        return f"{base}#{self.suffix}" if self.suffix else base

    @property
    def namespace(self) -> str:
        """The object's namespace."""
        return self.manifest.namespace

    def set(self, path: SpecPath, value: Any, origin: Origin, note: str = "") -> None:
        """Record ``value`` for ``path`` (a later call for the same path wins)."""
        self.facts[path] = Fact(value, origin, note)

    def setdefault(self, path: SpecPath, value: Any, origin: Origin, note: str = "") -> None:
        """Record ``value`` for ``path`` unless something is recorded already."""
        self.facts.setdefault(path, Fact(value, origin, note))

    def value(self, path: SpecPath) -> Any:
        """The value recorded for ``path``, or ``None``."""
        fact = self.facts.get(path)
        return fact.value if fact is not None else None
