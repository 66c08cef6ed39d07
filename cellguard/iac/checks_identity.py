"""``--verify``'s identity check: every workload that reads S3, DynamoDB or Bedrock has an
identity allowed to, by a policy naming the resource.

Who reads what: a container that runs ``aws s3`` or names an ``s3://`` URL reads the bucket its
environment names (directly or through a ConfigMap key); and the spec says which components call
a DynamoDB or S3 store or a Bedrock-hosted model (``depends_on``, fallbacks included). A
workload is the component named by its ``app.kubernetes.io/name`` label (else its name).

The identity: the EKS Pod Identity association of the pod's service account in its namespace
and cluster (role trusting ``pods.eks.amazonaws.com``), else IRSA (the service account's
``eks.amazonaws.com/role-arn`` annotation, a role trusting an OIDC provider of the stack with
``sts:AssumeRoleWithWebIdentity`` for ``system:serviceaccount:NS:SA``). The node's instance role
is not an identity for pods. Permissions: :mod:`cellguard.iac.iam_policies`; the actions asked
are ``s3:GetObject``, ``dynamodb:GetItem`` and ``bedrock:InvokeModel`` (for a cross-region
inference profile, on the profile and on the foundation model).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellguard.blueprints.model import Blueprint
from cellguard.iac.iam_policies import Need, allows, role_documents, trusts
from cellguard.iac.mockrun import Capture, CapturedResource
from cellguard.iac.verify_base import (
    MOCK_ARN,
    CheckResult,
    by_mock_reference,
    cluster_of,
    ident,
    pod_spec,
    region_of,
    workloads,
)
from cellguard.models.stack import Stack

NAME = "workload-identity"
SHOWN = 5
IRSA = "eks.amazonaws.com/role-arn"
SPEC = "spec depends_on"
OIDC = ("oidc-provider/", "openIdConnectProvider")
"""How a trust policy's federated principal names an OIDC provider (real ARN, mock ARN)."""
GEO_PREFIXES = ("us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global.")
"""Prefixes of Bedrock cross-region inference profile ids (``us.anthropic...``)."""


@dataclass(frozen=True)
class Reads:
    """One thing a workload reads: the service, what (store component, bucket or model id)."""

    service: str
    what: str
    why: str


def spec_reads(stack: Stack | None) -> dict[str, list[Reads]]:
    """Component id -> the DynamoDB/S3 stores and Bedrock models it calls, from the spec."""
    if stack is None:
        return {}
    by_id = {c.id: c for c in stack.components}
    out: dict[str, list[Reads]] = {}
    for c in stack.components:
        called = [d.to for d in c.depends_on] + [d.fallback for d in c.depends_on if d.fallback]
        for target in called:
            comp = by_id.get(target or "")
            engine = str(getattr(comp, "engine", "") or "")
            hosting = str(getattr(comp, "hosting", "") or "")
            model = getattr(comp, "model", None)
            if comp is None:
                continue
            if engine == "dynamodb":
                out.setdefault(c.id, []).append(Reads("dynamodb", comp.id, SPEC))
            elif engine == "s3":
                out.setdefault(c.id, []).append(Reads("s3", comp.id, SPEC))
            elif hosting == "bedrock" and model is not None:
                out.setdefault(c.id, []).append(Reads("bedrock", model.name, SPEC))
    return out


def _env_values(cap: Capture, w: CapturedResource, container: dict[str, object]) -> list[str]:
    """The container's environment values, ConfigMap references resolved."""
    ns = w.inputs.get("metadata", {}).get("namespace")
    maps = {
        (cm.inputs.get("metadata", {}).get("name"), cluster_of(cap, cm)): cm.inputs.get("data", {})
        for cm in cap.of_type("kubernetes:core/v1:ConfigMap")
        if cm.inputs.get("metadata", {}).get("namespace") == ns
    }
    out = []
    for env in container.get("env") or []:  # type: ignore[attr-defined]
        if "value" in env:
            out.append(str(env["value"]))
        ref = (env.get("valueFrom") or {}).get("configMapKeyRef")
        if ref:
            data = maps.get((ref.get("name"), cluster_of(cap, w))) or {}
            out.append(str(data.get(ref.get("key"), "")))
    return out


def _bucket_named(cap: Capture, name: str) -> CapturedResource | None:
    for b in cap.of_type("aws:s3/bucket:Bucket"):
        if name in (b.inputs.get("bucket"), f"{b.name}-bucket"):
            return b
    return None


def capture_reads(cap: Capture, w: CapturedResource) -> list[Reads]:
    """S3 buckets the workload's containers read (``aws s3``/``s3://`` with a bucket named in
    the environment); a bucket that cannot be told is ``?``."""
    pod = pod_spec(w)
    out: list[Reads] = []
    for c in list(pod.get("initContainers") or []) + list(pod.get("containers") or []):
        text = " ".join(str(x) for x in (c.get("command") or []) + (c.get("args") or []))
        env = _env_values(cap, w, c)
        if "s3://" not in text + " ".join(env) and "aws s3 " not in text:
            continue
        names = [
            b.name
            for v in env
            if (b := _bucket_named(cap, v.removeprefix("s3://").split("/")[0])) is not None
        ]
        why = f"container {c.get('name')} runs aws s3"
        out.extend(Reads("s3", name, why) for name in names or ["?"])
    return out


def _needs(cap: Capture, w: CapturedResource, r: Reads) -> list[list[Need]] | str:
    """The permissions a read asks for: every group must be allowed, any one Need of a group
    (a table of the store in the workload's region); or why it cannot be checked."""
    region = region_of(cap, w) or "*"
    if r.service == "bedrock":
        base = r.what.split(".", 1)[1] if r.what.startswith(GEO_PREFIXES) else r.what
        model = f"arn:aws:bedrock:{region}::foundation-model/{base}"
        groups = [[Need("bedrock:InvokeModel", (model,), base)]]
        if base != r.what:
            profile = f"arn:aws:bedrock:{region}:*:inference-profile/{r.what}"
            groups.append([Need("bedrock:InvokeModel", (profile,), r.what)])
        return groups
    if r.service == "s3":
        bucket = next((b for b in cap.of_type("aws:s3/bucket:Bucket") if r.what == b.name), None)
        if bucket is None:
            tagged = [b for b in cap.of_type("aws:s3/bucket:Bucket") if _component(b) == r.what]
            bucket = tagged[0] if tagged else None
        if bucket is None:
            return f"bucket {r.what} is not among the captured buckets"
        name = str(bucket.inputs.get("bucket") or bucket.name)
        arns = (f"arn:aws:s3:::{name}/object", f"{MOCK_ARN}{bucket.type}/{bucket.name}/object")
        return [[Need("s3:GetObject", arns, name, (f"Bucket/{bucket.name}/",))]]
    tables = [t for t in cap.of_type("aws:dynamodb/table:Table") if _component(t) == r.what]
    if not tables:
        return f"no DynamoDB table of {r.what} is captured"
    here = [t for t in tables if region in _table_regions(cap, t)] or tables
    return [[_table_need(cap, t, region) for t in here]]


def _table_regions(cap: Capture, table: CapturedResource) -> set[str]:
    home = region_of(cap, table)
    replicas = {str(x.get("regionName")) for x in table.inputs.get("replicas") or []}
    return ({home} if home else set()) | replicas


def _table_need(cap: Capture, table: CapturedResource, region: str) -> Need:
    name = str(table.inputs.get("name") or table.name)
    where = region if region in _table_regions(cap, table) else region_of(cap, table) or "*"
    arns = (f"arn:aws:dynamodb:{where}:*:table/{name}", f"{MOCK_ARN}{table.type}/{table.name}")
    return Need("dynamodb:GetItem", arns, name, (f"Table/{table.name}",))


def _component(r: CapturedResource) -> str | None:
    return (r.inputs.get("tags") or {}).get("cellguard:component")


def identity(cap: Capture, w: CapturedResource) -> tuple[CapturedResource | None, str]:
    """The role the workload's pods get, and how (or why none)."""
    pod, meta = pod_spec(w), w.inputs.get("metadata", {})
    sa = str(pod.get("serviceAccountName") or pod.get("serviceAccount") or "default")
    ns, cluster = meta.get("namespace"), cluster_of(cap, w)
    for a in cap.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation"):
        i = a.inputs
        if (i.get("clusterName"), i.get("namespace"), i.get("serviceAccount")) == (cluster, ns, sa):
            role = by_mock_reference(cap, i.get("roleArn"))
            if role is None:
                return None, f"Pod Identity association for {ns}/{sa} names no captured role"
            if not trusts(role, ("pods.eks.amazonaws.com",), "sts:AssumeRole"):
                return None, f"role {role.name} does not trust pods.eks.amazonaws.com"
            return role, f"Pod Identity {ns}/{sa} -> {role.name}"
    for s in cap.of_type("kubernetes:core/v1:ServiceAccount"):
        m = s.inputs.get("metadata", {})
        if (m.get("namespace"), m.get("name"), cluster_of(cap, s)) != (ns, sa, cluster):
            continue
        role = by_mock_reference(cap, (m.get("annotations") or {}).get(IRSA))
        if role is None:
            break
        providers = cap.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
        sub = f"system:serviceaccount:{ns}:{sa}"
        if not providers or not trusts(role, OIDC, "sts:AssumeRoleWithWebIdentity", sub):
            return None, f"IRSA role {role.name} does not trust an OIDC provider for {sub}"
        return role, f"IRSA {ns}/{sa} -> {role.name}"
    return None, f"no Pod Identity association or IRSA role for service account {ns}/{sa}"


@dataclass
class _Found:
    """What the walk over the workloads found."""

    ok: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    outside: set[str] = field(default_factory=set)
    ways: set[str] = field(default_factory=set)


def _judge(cap: Capture, w: CapturedResource, wanted: list[Reads], found: _Found) -> None:
    """Record whether the workload may read everything in ``wanted``."""
    label = f"{ident(w)} ({cluster_of(cap, w)})"
    needs = {r: _needs(cap, w, r) for r in wanted}
    for r, n in needs.items():
        if isinstance(n, str) and r.why == SPEC:
            found.outside.add(f"{r.service} {r.what}")
    wanted = [r for r in wanted if not (isinstance(needs[r], str) and r.why == SPEC)]
    if not wanted:
        return
    what = ", ".join(sorted({f"{r.service} {r.what}" for r in wanted}))
    role, how = identity(cap, w)
    if role is None:
        found.bad.append(f"{label} reads {what} but has {how}")
        return
    docs, managed = role_documents(cap, role)
    denied = []
    for r in wanted:
        groups = needs[r]
        if isinstance(groups, str):
            denied.append(f"{r.service} {r.what}: {groups}")
            continue
        for group in groups:
            if not any(allows(docs, n) for n in group):
                denied.append(f"{group[0].action} on {' or '.join(n.name for n in group)}")
    if denied:
        aws = f" (AWS managed policies not read: {managed})" if managed else ""
        found.bad.append(f"{label} via {how} is not allowed {', '.join(denied)}{aws}")
    else:
        found.ok.append(f"{label}: {what} via {how}")
        found.ways.add(how.split(" ", 1)[0].replace("Pod", "Pod Identity"))


def check_identities(cap: Capture, bp: Blueprint, stack: Stack | None = None) -> CheckResult:
    """Every workload that reads S3, DynamoDB or Bedrock has an identity allowed to."""
    reads = spec_reads(stack)
    found = _Found()
    for w in workloads(cap):
        meta = w.inputs.get("metadata", {})
        labels = meta.get("labels") or {}
        component = str(labels.get("app.kubernetes.io/name") or meta.get("name"))
        wanted = capture_reads(cap, w) + reads.get(component, [])
        if wanted:
            _judge(cap, w, wanted, found)
    total = len(found.ok) + len(found.bad)
    parts = [
        f"{len(found.ok)}/{total} workloads that read S3, DynamoDB or Bedrock have an identity "
        "whose policy names the resource"
        + (f" ({', '.join(sorted(found.ways))})" if found.ways else "")
    ]
    if stack is None:
        parts.append("spec not given: only reads seen in the containers")
    if found.outside:
        parts.append(
            f"stores the blueprint does not create, not checked (grant access to them "
            f"yourself): {sorted(found.outside)}"
        )
    if found.bad:
        more = f" and {len(found.bad) - SHOWN} more" if len(found.bad) > SHOWN else ""
        parts.append("; ".join(sorted(found.bad)[:SHOWN]) + more)
    return CheckResult(NAME, not found.bad, "; ".join(parts))
