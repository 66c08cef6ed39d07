"""What ``drift`` compares a spec with: Kubernetes manifests and CloudFormation templates.

Each source is read by its importer (the same facts ``import`` drafts from) and says which keys
are compared and which keys' absence is itself a fact. Absence applies to the resource types
where the key has a default (an S3 bucket without ``VersioningConfiguration`` does not version
its objects; a DynamoDB table without a point-in-time recovery specification has none); a spec
stating that default agrees with a template that leaves the key out.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from cellguard.importers.cloudformation import parse_parameters, read_cloudformation
from cellguard.importers.context import Context
from cellguard.importers.drift import Source
from cellguard.importers.facts import (
    LABEL_PDB,
    LABEL_PRIORITY,
    LABEL_PROBES,
    LABEL_RESOURCE,
    LABEL_WORKLOAD,
    SpecPath,
)
from cellguard.importers.k8s import Imported, read_k8s

K8S_KEYS: tuple[SpecPath, ...] = (
    ("replicas",),
    ("placement", "zones"),
    ("autoscaling", "min"),
    ("autoscaling", "max"),
    ("serving", "gpu"),
    ("serving", "gpus_per_replica"),
    ("serving", "instance_types"),
    ("gpu",),
    ("instance_types",),
    ("capacity", "purchase"),
    ("model", "name"),
    ("model", "pinned_version"),
    ("serving", "engine"),
    ("image", "reference"),
    ("rollout", "strategy"),
    ("labels", LABEL_PROBES),
    ("labels", LABEL_PDB),
    ("labels", LABEL_PRIORITY),
)
"""The keys compared with manifests, in report order."""

K8S_ABSENCE: dict[SpecPath, tuple[Any, str]] = {
    ("labels", LABEL_PDB): (None, "no PodDisruptionBudget selects it any more"),
    ("labels", LABEL_PRIORITY): (None, "its pods name no priority class any more"),
    ("autoscaling", "min"): (None, "no autoscaler targets it any more"),
    ("autoscaling", "max"): (None, "no autoscaler targets it any more"),
}
"""Keys whose absence from the manifests is itself a fact."""

LABEL_PITR = "cfn/point-in-time-recovery"
LABEL_HEALTH_CHECK = "cfn/health-check"

CFN_KEYS: tuple[SpecPath, ...] = (
    ("hosting",),
    ("runtime",),
    ("engine",),
    ("replicas",),
    ("placement", "zones"),
    ("autoscaling", "min"),
    ("autoscaling", "max"),
    ("serving", "instance_types"),
    ("serving", "gpu"),
    ("serving", "gpus_per_replica"),
    ("serving", "engine"),
    ("model", "name"),
    ("model", "pinned_version"),
    ("versioning",),
    ("multi_az",),
    ("replication", "cross_region"),
    ("replication", "regions"),
    ("dead_letter",),
    ("fifo",),
    ("labels", LABEL_PITR),
    ("labels", LABEL_HEALTH_CHECK),
    ("labels", "cfn/subnets"),
    ("labels", "cfn/replication"),
    ("labels", "cfn/dedicated-masters"),
    ("labels", "cfn/image"),
    ("labels", "cfn/foundation-model"),
    ("labels", "cfn/variants"),
    ("labels", "cfn/reserved-concurrency"),
)
"""The keys compared with templates, in report order."""

_SCALED = ("AWS::SageMaker::Endpoint", "AWS::SageMaker::InferenceComponent")
_TABLES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")

CFN_ABSENCE: dict[SpecPath, tuple[Any, str, tuple[str, ...]]] = {
    ("autoscaling", "min"): (None, "no scalable target registers it any more", _SCALED),
    ("autoscaling", "max"): (None, "no scalable target registers it any more", _SCALED),
    ("versioning",): (
        False,
        "the bucket does not enable versioning (S3's default: off)",
        ("AWS::S3::Bucket",),
    ),
    ("labels", "cfn/replication"): (
        None,
        "the bucket has no replication configuration any more",
        ("AWS::S3::Bucket",),
    ),
    ("labels", LABEL_PITR): (
        "false",
        "the table does not enable point-in-time recovery (off by default)",
        _TABLES,
    ),
    ("multi_az",): (
        False,
        "the domain does not enable zone awareness (off by default)",
        ("AWS::OpenSearchService::Domain",),
    ),
    ("labels", LABEL_HEALTH_CHECK): (
        "EC2",
        "the group sets no HealthCheckType: EC2 status checks only, no load balancer checks",
        ("AWS::AutoScaling::AutoScalingGroup",),
    ),
}
"""Keys whose absence from a template is a fact for the resource types listed: the default
it means and what it means."""


def k8s_source(paths: list[str], *, stdin: BinaryIO | None = None) -> Source:
    """The manifests at ``paths`` as a drift source (``SpecLoadError`` on bad input)."""
    return k8s_source_of(read_k8s(paths, stdin=stdin))


def k8s_source_of(imported: Imported) -> Source:
    """Manifests already read as a drift source."""
    absence: dict[SpecPath, tuple[Any, str, tuple[str, ...]]] = {
        path: (default, meaning, ()) for path, (default, meaning) in K8S_ABSENCE.items()
    }
    return Source(
        "manifests",
        "import k8s",
        LABEL_WORKLOAD,
        imported.files,
        list(imported.ctx.workloads),
        K8S_KEYS,
        absence,
    )


def cfn_source(paths: list[str], parameters: list[str] | None = None) -> Source:
    """The templates at ``paths`` as a drift source (``SpecLoadError`` on bad input)."""
    ctx, _, files = read_cloudformation(paths, parse_parameters(parameters or []))
    return cfn_source_of(ctx, files)


def cfn_source_of(ctx: Context, files: list[str]) -> Source:
    """Templates already read as a drift source."""
    return Source(
        "templates",
        "import cloudformation",
        LABEL_RESOURCE,
        files,
        list(ctx.workloads),
        CFN_KEYS,
        CFN_ABSENCE,
    )
