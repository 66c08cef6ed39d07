"""Invariants of a mock-run blueprint: named checks with pass/fail and a message.

Every check reads the captured resources (what the program would ask the cloud for), never the
blueprint model, except where the spec decides what is expected (regions, replicated tables).
Kubernetes objects are validated against the OpenAPI schemas of ``kubernetes-validate``.
What the AWS APIs and the Kubernetes scheduler will check beyond the mocks' acceptance is in
:mod:`cellguard.iac.checks_aws` (input constraints from botocore's models, auto-named names),
:mod:`cellguard.iac.checks_schedule` (pods fit nodes; node groups hold the replicas),
:mod:`cellguard.iac.checks_addons` (add-ons resources rely on) and
:mod:`cellguard.iac.checks_identity` (identities of the workloads that read AWS data).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from cellguard.blueprints._base import TOKEN_PREFIX
from cellguard.blueprints.manifests import ZONE_KEY
from cellguard.blueprints.model import Blueprint
from cellguard.iac.checks_addons import check_addons
from cellguard.iac.checks_aws import check_aws_inputs
from cellguard.iac.checks_cluster import check_eks_endpoint, check_instance_types
from cellguard.iac.checks_identity import check_identities
from cellguard.iac.checks_schedule import check_schedulable, replicas
from cellguard.iac.mockrun import Capture
from cellguard.iac.verify_base import (
    GPU,
    CheckResult,
    cluster_of,
    coverage,
    manifest,
    region_of,
)
from cellguard.iac.verify_base import containers as _containers
from cellguard.iac.verify_base import deployments as _deployments
from cellguard.iac.verify_base import ident as _ident
from cellguard.iac.verify_base import is_gpu as _is_gpu
from cellguard.models.stack import Stack
from cellguard.models.wording import plural

__all__ = ["CHECKS", "GPU", "CheckResult", "manifest", "region_of", "verify"]

COMPONENT_PREFIX = TOKEN_PREFIX
K8S_VERSION = "1.33"


def check_cells_regions(cap: Capture, bp: Blueprint) -> CheckResult:
    cells = cap.of_type(f"{TOKEN_PREFIX}InferenceCell")
    spaces = [
        n for n in cap.of_type("kubernetes:core/v1:Namespace") if n.parent in {c.urn for c in cells}
    ]
    regions = sorted({region_of(cap, n) or "?" for n in spaces})
    need = 2 if len(bp.regions) >= 2 else 1
    return CheckResult(
        "cells-in-regions",
        len(regions) >= need,
        f"{plural(len(cells), 'cell')} in {plural(len(regions), 'region')} {regions}; "
        f"spec has {len(bp.regions)}",
    )


def check_zone_spread(cap: Capture, bp: Blueprint) -> CheckResult:
    bad = []
    gpu = [d for d in _deployments(cap) if _is_gpu(d)]
    for d in gpu:
        tsc = d.inputs["spec"]["template"]["spec"].get("topologySpreadConstraints", [])
        if not any(
            c.get("topologyKey") == ZONE_KEY and c.get("whenUnsatisfiable") == "DoNotSchedule"
            for c in tsc
        ):
            bad.append(_ident(d))
    return coverage(
        "zone-spread", len(gpu), bad, "GPU Deployments spread over zones (DoNotSchedule)"
    )


def _budget(value: object, replicas: int) -> int:
    """A PDB's minAvailable or maxUnavailable as a pod count (percentages round up)."""
    text = str(value)
    if text.endswith("%"):
        return math.ceil(replicas * float(text[:-1]) / 100)
    return int(text)


def check_pdbs(cap: Capture, bp: Blueprint) -> CheckResult:
    """Every Deployment has a PDB that keeps a pod up (one-replica Deployments excepted) and
    still lets a node drain evict one (minAvailable equal to the replicas blocks every drain
    and managed node group upgrade)."""
    pdbs = cap.of_type("kubernetes:policy/v1:PodDisruptionBudget")
    deployments = _deployments(cap)
    bad = []
    for d in deployments:
        ns = d.inputs["metadata"].get("namespace")
        labels = d.inputs["spec"]["template"]["metadata"]["labels"]
        count = replicas(cap, d, cluster_of(cap, d))
        ok = False
        for p in pdbs:
            spec = p.inputs.get("spec", {})
            selector = spec.get("selector", {}).get("matchLabels", {})
            if (
                p.inputs["metadata"].get("namespace") != ns
                or not selector.items() <= labels.items()
            ):
                continue
            if "maxUnavailable" in spec:
                evictable = _budget(spec["maxUnavailable"], count)
            else:
                evictable = count - _budget(spec.get("minAvailable", 0), count)
            ok = ok or (evictable >= 1 and (count - evictable >= 1 or count == 1))
        if not ok:
            bad.append(f"{_ident(d)} ({count} replicas)")
    return coverage(
        "pdb-per-deployment",
        len(deployments),
        bad,
        "Deployments with a PDB that keeps a pod up and lets a drain evict one",
    )


def check_probes(cap: Capture, bp: Blueprint) -> CheckResult:
    keys = ("startupProbe", "readinessProbe", "livenessProbe")
    bad = [
        _ident(d)
        for d in _deployments(cap)
        if not all(all(k in c for k in keys) for c in _containers(d))
    ]
    return coverage(
        "probes",
        len(_deployments(cap)),
        bad,
        "Deployments with startup, readiness and liveness probes",
    )


def check_gpu_requests(cap: Capture, bp: Blueprint) -> CheckResult:
    gpu = [d for d in _deployments(cap) if _is_gpu(d)]
    bad = [
        _ident(d)
        for d in gpu
        for c in _containers(d)
        if c["resources"].get("requests", {}).get(GPU) != c["resources"]["limits"].get(GPU)
    ]
    tolerating = [
        d
        for d in gpu
        if any(
            t.get("key") == GPU for t in d.inputs["spec"]["template"]["spec"].get("tolerations", [])
        )
    ]
    ok = not bad and len(tolerating) == len(gpu)
    return CheckResult(
        "gpu-requests-equal-limits",
        ok,
        f"{len(gpu) - len(bad)}/{len(gpu)} GPU Deployments with requests == limits, {len(tolerating)} tolerate the GPU taint",
    )


def check_artifacts(cap: Capture, bp: Blueprint) -> CheckResult:
    if not bp.data.artifact_bucket:
        return CheckResult(
            "s3-versioning-replication", True, "no self-hosted models: no artifact bucket needed"
        )
    buckets = [
        b
        for b in cap.of_type("aws:s3/bucket:Bucket")
        if b.inputs.get("tags", {}).get("cellguard:role") == "model-artifacts"
    ]
    versioned = {
        v.inputs.get("bucket")
        for v in cap.of_type("aws:s3/bucketVersioning:BucketVersioning")
        if v.inputs.get("versioningConfiguration", {}).get("status") == "Enabled"
    }
    unversioned = [b.name for b in buckets if f"{b.name}-id" not in versioned]
    rules = [
        rule
        for rc in cap.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
        for rule in rc.inputs.get("rules", [])
        if rule.get("status") == "Enabled"
    ]
    need_replication = bp.data.recovery_region is not None
    ok = bool(buckets) and not unversioned and (bool(rules) or not need_replication)
    return CheckResult(
        "s3-versioning-replication",
        ok,
        f"{plural(len(buckets), 'artifact bucket')}, unversioned: {unversioned or 'none'}, "
        f"{plural(len(rules), 'enabled replication rule')}"
        + ("" if need_replication else " (one region: no replica)"),
    )


def check_tables(cap: Capture, bp: Blueprint) -> CheckResult:
    tables = cap.of_type("aws:dynamodb/table:Table")
    no_pitr = [t.name for t in tables if not t.inputs.get("pointInTimeRecovery", {}).get("enabled")]
    replicated = [t for t in tables if t.inputs.get("replicas")]
    wanted = [t for t in bp.data.tables if t.replica_regions]
    ok = not no_pitr and len(replicated) >= len(wanted)
    return CheckResult(
        "dynamodb-replicas",
        ok,
        f"{plural(len(tables), 'table')}, {len(replicated)} global (spec asks {len(wanted)}), "
        f"without PITR: {no_pitr or 'none'}",
    )


def check_alarms(cap: Capture, bp: Blueprint) -> CheckResult:
    alarms = cap.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    per_cell: dict[str, int] = {}
    for a in alarms:
        cell = a.inputs.get("dimensions", {}).get("Cell")
        per_cell[cell] = per_cell.get(cell, 0) + 1
    missing = [c.id for c in bp.cells if per_cell.get(c.id, 0) == 0]
    counts = ", ".join(f"{k}={v}" for k, v in sorted(per_cell.items()))
    return CheckResult(
        "alarms-per-cell",
        not missing,
        f"{len(alarms)} alarms ({counts})"
        + (f"; cells without alarms: {missing}" if missing else ""),
    )


def check_fis(cap: Capture, bp: Blueprint) -> CheckResult:
    alarm_arns = {
        f"arn:aws:mock:::{r.type}/{r.name}"
        for r in cap.resources
        if r.type
        in (
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "aws:cloudwatch/compositeAlarm:CompositeAlarm",
        )
    }
    templates = cap.of_type("aws:fis/experimentTemplate:ExperimentTemplate")
    bad = [
        t.name
        for t in templates
        if not t.inputs.get("stopConditions")
        or not all(
            s.get("source") == "aws:cloudwatch:alarm" and s.get("value") in alarm_arns
            for s in t.inputs["stopConditions"]
        )
    ]
    ok = bool(templates) and not bad
    return CheckResult(
        "fis-stop-conditions",
        ok,
        f"{plural(len(templates), 'FIS template')}, {len(templates) - len(bad)} stopped by alarms"
        + (f"; bad: {bad}" if bad else ""),
    )


def check_parents(cap: Capture, bp: Blueprint) -> CheckResult:
    by_urn = cap.by_urn()
    bad = []
    for r in cap.resources:
        if r.type.startswith(COMPONENT_PREFIX):
            continue
        node = by_urn.get(r.parent or "")
        while node is not None and not node.type.startswith(COMPONENT_PREFIX):
            node = by_urn.get(node.parent or "")
        if node is None:
            bad.append(f"{r.type}::{r.name}")
    return CheckResult(
        "parent-chain",
        not bad,
        f"{len(cap.resources) - len(bad)}/{len(cap.resources)} resources under a cellguard component"
        + (f"; orphans: {bad[:5]}" if bad else ""),
    )


def check_unique_urns(cap: Capture, bp: Blueprint) -> CheckResult:
    """Pulumi refuses two resources with one URN (type chain + name); the mocks do not."""
    seen: dict[str, int] = {}
    for r in cap.resources:
        seen[r.urn] = seen.get(r.urn, 0) + 1
    twice = sorted(u.rsplit("::", 1)[-1] for u, n in seen.items() if n > 1)
    return CheckResult(
        "unique-urns",
        not twice,
        f"{len(seen) - len(twice)}/{len(seen)} URNs unique"
        + (f"; repeated: {twice[:5]}" if twice else ""),
    )


def check_providers(cap: Capture, bp: Blueprint) -> CheckResult:
    custom = [r for r in cap.resources if r.custom and not r.type.startswith("pulumi:providers:")]
    bad = [f"{r.type}::{r.name}" for r in custom if not r.provider or "::default" in r.provider]
    return CheckResult(
        "explicit-providers",
        not bad,
        f"{len(custom) - len(bad)}/{len(custom)} resources with an explicit provider"
        + (f"; default: {bad[:5]}" if bad else ""),
    )


def check_k8s_schema(cap: Capture, bp: Blueprint) -> CheckResult:
    """Every Kubernetes object applied directly validates, strictly, against the Kubernetes
    OpenAPI schemas; Helm releases (their charts render the objects) and custom resources (no
    schema in ``kubernetes-validate``) are counted, not validated."""
    import kubernetes_validate

    objects = [
        r
        for r in cap.resources
        if r.type.startswith("kubernetes:") and not r.type.startswith("kubernetes:helm.sh/")
    ]
    releases = sum(1 for r in cap.resources if r.type.startswith("kubernetes:helm.sh/"))
    errors = []
    custom: dict[str, int] = {}
    for r in objects:
        body = manifest(r)
        if "apiVersion" not in body or "kind" not in body:
            errors.append(f"{r.name}: no apiVersion or kind")
            continue
        try:
            kubernetes_validate.validate(body, K8S_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            custom[str(body["kind"])] = custom.get(str(body["kind"]), 0) + 1
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{r.name}: {exc.message}")
    checked = len(objects) - sum(custom.values())
    extra = ""
    if custom:
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(custom.items()))
        extra += f"; custom resources without a schema, not validated: {kinds}"
    if releases:
        extra += f"; {releases} Helm releases not rendered"
    return CheckResult(
        "kubernetes-schema",
        not errors,
        f"{checked - len(errors)}/{checked} objects valid against Kubernetes {K8S_VERSION} (strict)"
        + extra
        + (f"; {errors[:3]}" if errors else ""),
    )


CHECKS: tuple[Callable[[Capture, Blueprint], CheckResult], ...] = (
    check_cells_regions,
    check_zone_spread,
    check_pdbs,
    check_probes,
    check_gpu_requests,
    check_artifacts,
    check_tables,
    check_alarms,
    check_fis,
    check_eks_endpoint,
    check_instance_types,
    check_parents,
    check_unique_urns,
    check_providers,
    check_k8s_schema,
    check_aws_inputs,
    check_schedulable,
    check_addons,
)
"""The checks of the capture alone; :func:`verify` adds the identity check, which also reads
the spec (who calls which store or model)."""


def verify(cap: Capture, bp: Blueprint, stack: Stack | None = None) -> list[CheckResult]:
    """Run every check; ``stack`` (the target spec) tells which workloads call DynamoDB, S3 or
    Bedrock (without it, only the reads visible in the containers are checked)."""
    return [check(cap, bp) for check in CHECKS] + [check_identities(cap, bp, stack)]
