"""CloudFormation resources -> workloads with located facts (the spec's component kinds and keys).

One reader per resource type: SageMaker endpoints (their endpoint config and model) and
inference components, Bedrock knowledge bases, data sources, agents and guardrails, OpenSearch
domains and serverless collections, DynamoDB tables, S3 buckets, Lambda functions, SQS queues
and SNS topics, API Gateway and AppSync APIs, Auto Scaling groups. Application Auto Scaling
targets add autoscaling bounds to the endpoint or inference component they name. A value the
template leaves open is a placeholder (:attr:`CfnWorkload.todos`), never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cellguard.importers.cfn_template import ResourceRef, Template, Unknown
from cellguard.importers.engines import engine_of_image, is_embedding_image
from cellguard.importers.facts import LABEL_RESOURCE, SpecPath, Workload
from cellguard.importers.manifests import Manifest, Origin
from cellguard.importers.nodes import gpu_of_instance


@dataclass
class CfnWorkload(Workload):
    """A workload made from a resource, with the values the template leaves open."""

    todos: list[tuple[SpecPath, str, Origin]] = field(default_factory=list)
    refs: list[tuple[str, Origin, str]] = field(default_factory=list)
    """Resources its properties name: (logical id, where, which property)."""
    label: ClassVar[str] = LABEL_RESOURCE

    @property
    def key(self) -> str:
        """``Type/LogicalId`` of the resource (``AWS::S3::Bucket/DocumentsBucket``)."""
        return f"{self.manifest.kind}/{self.manifest.name}"


@dataclass
class Resources:
    """The resources of a template as manifests, and the workloads made of them."""

    template: Template
    by_id: dict[str, Manifest] = field(default_factory=dict)
    workloads: dict[str, CfnWorkload] = field(default_factory=dict)

    def manifest(self, logical_id: str) -> Manifest | None:
        """The resource ``logical_id``."""
        return self.by_id.get(logical_id)

    def props(self, m: Manifest, *path: str | int) -> Any:
        """A property of ``m``, resolved."""
        return self.template.resolve(m.get("Properties", *path))

    def target(self, m: Manifest, *path: str | int) -> Manifest | None:
        """The resource a property of ``m`` refers to."""
        value = self.props(m, *path)
        return self.manifest(value.logical_id) if isinstance(value, ResourceRef) else None


def _set(
    r: Resources, w: CfnWorkload, spec: SpecPath, m: Manifest, *path: str | int, **kw: Any
) -> Any:
    """Record the property at ``path`` of ``m`` as ``spec`` (converted by ``convert``)."""
    raw = r.props(m, *path)
    if raw is None:
        return None
    origin = m.origin("Properties", *path)
    if isinstance(raw, Unknown | ResourceRef):
        why = raw.why if isinstance(raw, Unknown) else f"set from resource {raw.logical_id}"
        w.todos.append((spec, why, origin))
        return None
    convert: Callable[[Any], Any] = kw.get("convert", lambda v: v)
    value = convert(raw)
    if value is not None:
        w.set(spec, value, origin, kw.get("note", ""))
    return value


def _count(value: Any) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() and int(text) < 10**7 else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    return {"true": True, "enabled": True, "false": False, "disabled": False}.get(text)


def _instances(r: Resources, w: CfnWorkload, m: Manifest, *path: str | int) -> None:
    instance = _set(r, w, ("serving", "instance_types"), m, *path, convert=lambda v: [str(v)])
    if instance and gpu_of_instance(instance[0]):
        w.set(("serving", "gpu"), gpu_of_instance(instance[0]), m.origin("Properties", *path))


def _model(r: Resources, w: CfnWorkload, model: Manifest | None) -> None:
    """Engine and model name from a SageMaker model's container."""
    if model is None:
        return
    base: tuple[str | int, ...] = ("PrimaryContainer",)
    if r.props(model, "PrimaryContainer") is None:
        base = ("Containers", 0)
    image = _set(r, w, ("labels", "cfn/image"), model, *base, "Image", convert=str)
    raw = r.props(model, *base, "Image")
    note = ""
    if isinstance(raw, Unknown) and raw.shape:
        # !Sub "763104351884.dkr.ecr.${AWS::Region}.amazonaws.com/djl-inference:0.28.0-lmi":
        # the registry waits for the deployment, the repository is written in the template
        image, note = raw.shape, "the repository in the image's Fn::Sub"
    if isinstance(image, str):
        engine = engine_of_image(image) or _SAGEMAKER_ENGINES.get(_dlc(image))
        if engine:
            w.set(("serving", "engine"), engine, model.origin("Properties", *base, "Image"), note)
        if is_embedding_image(image):
            w.component_kind = "embedding_model"
    env = r.props(model, *base, "Environment")
    for key in ("HF_MODEL_ID", "MODEL_ID", "OPTION_MODEL_ID", "MODEL_NAME"):
        if isinstance(env, dict) and key in env:
            _set(r, w, ("model", "name"), model, *base, "Environment", key, convert=str)
            break
    if isinstance(env, dict) and "HF_MODEL_REVISION" in env:
        _set(
            r,
            w,
            ("model", "pinned_version"),
            model,
            *base,
            "Environment",
            "HF_MODEL_REVISION",
            convert=str,
        )


_SAGEMAKER_ENGINES = {"djl-inference": "lmi", "huggingface-pytorch-tgi-inference": "tgi"}
"""SageMaker deep learning container repositories and the engine they run."""


def _dlc(image: str) -> str:
    return image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]


def sagemaker_endpoint(r: Resources, w: CfnWorkload) -> None:
    """Instance type and count of the first variant, serverless config, the model served."""
    m = w.manifest
    w.set(("hosting",), "sagemaker", m.origin("Type"))
    config = r.target(m, "EndpointConfigName")
    if config is None:
        w.todos.append((("serving",), "the endpoint config is not in the template", m.origin()))
        return
    variants = r.props(config, "ProductionVariants")
    if isinstance(variants, list) and variants:
        _instances(r, w, config, "ProductionVariants", 0, "InstanceType")
        _set(
            r,
            w,
            ("replicas",),
            config,
            "ProductionVariants",
            0,
            "InitialInstanceCount",
            convert=_count,
        )
        if isinstance(variants[0], dict) and "ServerlessConfig" in variants[0]:
            w.set(
                ("runtime",),
                "managed",
                config.origin("Properties", "ProductionVariants", 0, "ServerlessConfig"),
                "serverless",
            )
        if len(variants) > 1:
            w.set(
                ("labels", "cfn/variants"),
                str(len(variants)),
                config.origin("Properties", "ProductionVariants"),
            )
        _model(r, w, r.target(config, "ProductionVariants", 0, "ModelName"))


def inference_component(r: Resources, w: CfnWorkload) -> None:
    """A model on an endpoint: copies, accelerators per copy, the endpoint's instances."""
    m = w.manifest
    w.set(("hosting",), "sagemaker", m.origin("Type"))
    _set(r, w, ("replicas",), m, "RuntimeConfig", "CopyCount", convert=_count)
    _set(
        r,
        w,
        ("serving", "gpus_per_replica"),
        m,
        "Specification",
        "ComputeResourceRequirements",
        "NumberOfAcceleratorDevicesRequired",
        convert=_count,
    )
    _model(r, w, r.target(m, "Specification", "ModelName"))
    endpoint = r.target(m, "EndpointName")
    if endpoint is not None:
        w.node_pools.append((endpoint.name, m.origin("Properties", "EndpointName")))
        config = r.target(endpoint, "EndpointConfigName")
        if config is not None:
            _instances(r, w, config, "ProductionVariants", 0, "InstanceType")


def scalable_target(r: Resources, m: Manifest) -> None:
    """MinCapacity and MaxCapacity onto the endpoint or inference component named."""
    for logical_id, _, _ in references(m.get("Properties", "ResourceId"), ()):
        w = r.workloads.get(logical_id)
        if w is None:
            continue
        for key, spec in (("MinCapacity", "min"), ("MaxCapacity", "max")):
            _set(r, w, ("autoscaling", spec), m, key, convert=_count)
        return


def references(value: Any, path: tuple[str | int, ...]) -> list[tuple[str, Any, str]]:
    """(logical id, path, how) of every Ref, Fn::GetAtt and ``${X}`` in ``value``."""
    found: list[tuple[str, Any, str]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, path)]
    while stack:
        v, p = stack.pop()
        if isinstance(v, list):
            stack.extend((x, (*p, i)) for i, x in enumerate(v))
        elif isinstance(v, dict):
            if isinstance(v.get("Ref"), str):
                found.append((v["Ref"], p, "Ref"))
            attr = v.get("Fn::GetAtt")
            if isinstance(attr, list) and attr and isinstance(attr[0], str):
                found.append((attr[0], p, "Fn::GetAtt"))
            sub = v.get("Fn::Sub")
            text = sub[0] if isinstance(sub, list) and sub else sub
            if isinstance(text, str):
                for name in _sub_names(text):
                    found.append((name, p, "Fn::Sub"))
            stack.extend((x, (*p, k)) for k, x in v.items())
    return sorted(found, key=lambda f: [str(s) for s in f[1]])


def _sub_names(text: str) -> list[str]:
    from cellguard.importers.cfn_template import _SUB_VAR

    return [v.split(".", 1)[0] for v in _SUB_VAR.findall(text)]


def _simple(kind: str, engine_key: str | None, engine: str | None) -> Reader:
    def read(r: Resources, w: CfnWorkload) -> None:
        del r
        if engine_key and engine:
            w.set((engine_key,), engine, w.manifest.origin("Type"))

    return read


def lambda_function(r: Resources, w: CfnWorkload) -> None:
    """A Lambda function: an app on lambda, its reserved concurrency."""
    m = w.manifest
    w.set(("runtime",), "lambda", m.origin("Type"))
    _set(
        r, w, ("labels", "cfn/reserved-concurrency"), m, "ReservedConcurrentExecutions", convert=str
    )


def managed(product: str | None = None) -> Reader:
    """A managed service: runtime managed (and the gateway product)."""

    def read(r: Resources, w: CfnWorkload) -> None:
        del r
        w.set(("runtime",), "managed", w.manifest.origin("Type"))
        if product:
            w.set(("product",), product, w.manifest.origin("Type"))

    return read


def auto_scaling_group(r: Resources, w: CfnWorkload) -> None:
    """An EC2 fleet: desired, min and max size, zones (subnets only counted), the health check that replaces
    instances (``ELB``: the load balancer's; ``EC2``: status checks only)."""
    m = w.manifest
    w.set(("runtime",), "ec2", m.origin("Type"))
    _set(r, w, ("replicas",), m, "DesiredCapacity", convert=_count)
    _set(r, w, ("autoscaling", "min"), m, "MinSize", convert=_count)
    _set(r, w, ("autoscaling", "max"), m, "MaxSize", convert=_count)
    _set(r, w, ("labels", "cfn/health-check"), m, "HealthCheckType", convert=str)
    zones = r.props(m, "AvailabilityZones")
    subnets = r.props(m, "VPCZoneIdentifier")
    if isinstance(zones, list) and zones and all(isinstance(z, str) for z in zones):
        # zone names, as node labels give them: the draft maps them to placeholder ids
        w.set(
            ("placement", "zones"), sorted(set(zones)), m.origin("Properties", "AvailabilityZones")
        )
    elif isinstance(subnets, list) and subnets:
        # Subnets are not zones: two subnets may sit in one zone. The count is kept as a label
        # and the zones are left to the user (unknown to the assessment until then).
        where = m.origin("Properties", "VPCZoneIdentifier")
        w.set(("labels", "cfn/subnets"), str(len(subnets)), where)
        why = f"{len(subnets)} subnets: set the number of distinct zones they are in"
        w.todos.append((("placement", "zones"), why, where))


def bedrock_agent(r: Resources, w: CfnWorkload) -> None:
    """A Bedrock agent: managed, its idle session and foundation model noted."""
    m = w.manifest
    w.set(("runtime",), "managed", m.origin("Type"))
    w.set(("framework",), "bedrock-agents", m.origin("Type"))
    _set(r, w, ("labels", "cfn/foundation-model"), m, "FoundationModel", convert=str)


def guardrail(r: Resources, w: CfnWorkload) -> None:
    """A Bedrock guardrail: its policies as checks."""
    m = w.manifest
    w.set(("provider",), "bedrock_guardrails", m.origin("Type"))
    checks = []
    for key, check in (
        ("ContentPolicyConfig", "input_toxicity"),
        ("SensitiveInformationPolicyConfig", "pii"),
        ("TopicPolicyConfig", "denied_topics"),
        ("ContextualGroundingPolicyConfig", "grounding"),
    ):
        if m.get("Properties", key) is not None:
            checks.append(check)
    if checks:
        w.set(("checks",), checks, m.origin("Properties"))


def knowledge_base(r: Resources, w: CfnWorkload) -> None:
    """A Bedrock knowledge base: a managed retriever over its vector store, and the Bedrock
    embedding model it calls (``cfn/embedding-model``, read from the model ARN even when the
    ARN's partition and region wait for the deployment)."""
    m = w.manifest
    w.set(("runtime",), "managed", m.origin("Type"))
    w.set(("framework",), "bedrock-knowledge-bases", m.origin("Type"))
    _set(r, w, ("labels", "cfn/storage"), m, "StorageConfiguration", "Type", convert=str)
    path = ("KnowledgeBaseConfiguration", "VectorKnowledgeBaseConfiguration", "EmbeddingModelArn")
    arn = r.props(m, *path)
    text = arn.shape if isinstance(arn, Unknown) else arn
    marker = ":foundation-model/"
    if isinstance(text, str) and marker in text:
        model = text.rsplit(marker, 1)[1]
        if model and "*" not in model:
            origin = m.origin("Properties", *path)
            w.set(("labels", "cfn/embedding-model"), model, origin, "EmbeddingModelArn")


def data_source(r: Resources, w: CfnWorkload) -> None:
    """A knowledge base's data source: a batch ingestion pipeline."""
    m = w.manifest
    w.set(("mode",), "batch", m.origin("Type"), "knowledge base ingestion jobs")


Reader = Callable[[Resources, CfnWorkload], None]
