"""The generated project's ``README.md``: prerequisites, costs, steps, weights, destroy.

Pure text from the blueprint model (no pulumi import). Spec identifiers (stack, cells,
components, regions, instance types) appear as Markdown code spans; a value is checked to be a
plain identifier before it is written, anything else is replaced by ``?``.
"""

from __future__ import annotations

import re

from cellguard.blueprints.coverage import not_generated
from cellguard.blueprints.from_spec import blueprint_of
from cellguard.blueprints.manifests import weights_prefix
from cellguard.blueprints.model import Blueprint, GpuPool
from cellguard.models.catalog.hardware import instance_catalog
from cellguard.models.enums import PurchaseOption
from cellguard.models.stack import Stack
from cellguard.models.wording import plural

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}")


def _c(value: str) -> str:
    """A code span of a plain identifier ('?' for anything else)."""
    return f"`{value}`" if _PLAIN.fullmatch(value) else "`?`"


def _raw(value: str) -> str:
    """A plain identifier as is ('?' for anything else), for code blocks."""
    return value if _PLAIN.fullmatch(value) else "?"


def _quota_family(instance_type: str) -> str:
    return "P" if instance_type.startswith("p") else "G and VT"


def _vcpus(pool: GpuPool, nodes_per_zone: int) -> int:
    shape = instance_catalog().shape(pool.instance_types[0]) if pool.instance_types else None
    return (shape[0] if shape else 0) * nodes_per_zone * len(pool.zones)


def _quotas(bp: Blueprint) -> list[str]:
    rows = [
        "| region | pool | instance types | quota (On-Demand, vCPUs) | at `up` | at the autoscaling ceiling |",
        "|---|---|---|---|---|---|",
    ]
    for region in bp.regions:
        for pool in region.gpu_pools:
            kind = "Spot" if pool.purchase is PurchaseOption.SPOT else "On-Demand"
            rows.append(
                f"| {_c(region.name)} | {_c(pool.id)} | "
                + ", ".join(_c(t) for t in pool.instance_types)
                + f" | Running {kind} {_quota_family(pool.instance_types[0])} instances | "
                f"{_vcpus(pool, pool.nodes_per_zone)} | {_vcpus(pool, pool.max_nodes_per_zone)} |"
            )
    return rows if len(rows) > 2 else ["No GPU pools: no GPU quota is needed."]


def _reservations(bp: Blueprint) -> list[str]:
    out = []
    for region in bp.regions:
        for pool in region.gpu_pools:
            if not pool.reserved_nodes_per_zone:
                continue
            what = (
                "an On-Demand Capacity Reservation (open, unlimited end date)"
                if pool.purchase is PurchaseOption.ODCR
                else "a Capacity Block (24 hours, bought at the first `up`)"
            )
            out.append(
                f"- {_c(region.name)} {_c(pool.id)}: {what} of {pool.reserved_nodes_per_zone} x "
                f"{_c(pool.instance_types[0])} in each of {plural(len(pool.zones), 'zone')}: billed from "
                "the moment it is created, used or not."
            )
    return out or ["- No reservations."]


def _weights(bp: Blueprint) -> list[str]:
    out = []
    for cell in bp.cells:
        for w in cell.workloads:
            if w.model_cache:
                line = f"- {_c(w.component)}: `s3://$BUCKET/{weights_prefix(w)}`"
                if line not in out:
                    out.append(line)
    return out


def _router(bp: Blueprint) -> list[str]:
    if bp.router.component is None:
        return ["The stack has no router component: the cells serve their own clients.", ""]
    if bp.router.placeholder:
        return [
            "The spec names no router image, so the routers run the generated NGINX data plane:",
            "a tenant goes to its cell by hash, or by `cellguard:tenantPins`, and to the partner",
            "cell when the cell's gateway fails.",
            "",
        ]
    return [
        f"The routers run the spec's image of {_c(bp.router.component)}, which must read the cell",
        "map and answer `/healthz` on port 8080.",
        "",
    ]


def _not_generated(stack: Stack) -> list[str]:
    """The section naming the spec's components this project does not create (none: empty)."""
    found = not_generated(stack)
    if not found:
        return []
    return [
        "## Not generated: build these by other means",
        "",
        "This project creates the cells on EKS (services, routers, GPU node pools of self-hosted",
        "models), DynamoDB tables and OpenSearch domains. These components of the spec are not",
        "created, yet the target's verdicts assume they exist as the spec declares them:",
        "",
        *(f"- {_c(cid)}: {why}" if cid != "*" else f"- {why}" for cid, why in found),
        "",
    ]


def project_readme(stack: Stack, stack_name: str) -> str:
    """The README of the project generated from ``stack`` for Pulumi stack ``stack_name``."""
    bp = blueprint_of(stack)
    name = _c(bp.stack)
    stack_name, primary, plain_stack = _raw(stack_name), _raw(bp.regions[0].name), _raw(bp.stack)
    gated = sorted(
        {w.model_id for c in bp.cells for w in c.workloads if w.model_id and not w.model_cache}
    )
    weights = _weights(bp)
    lines = [
        f"# {name}: cell-based GPU inference, generated by cellguard",
        "",
        "`target.yaml` is the spec this project deploys; `__main__.py` only loads it. Change the",
        "spec and run `cellguard blueprint` again rather than editing the program.",
        "",
        *_not_generated(stack),
        "## Prerequisites",
        "",
        "- An AWS account and credentials allowed to create IAM roles, VPCs, EKS clusters, EC2",
        "  capacity, S3, DynamoDB, OpenSearch, Route 53, CloudWatch, SNS and FIS resources. The",
        "  identity that runs `pulumi up` becomes cluster administrator of every cluster.",
        "- Pulumi CLI 3.120 or later, Python 3.11 or later, and the AWS CLI v2 on the `PATH`: the",
        "  Kubernetes provider authenticates with `aws eks get-token`. `kubectl` to look around.",
        "- Network access to the EKS API endpoints from where `pulumi up` runs: they are public,",
        "  limited to `cellguard:apiAllowedCidrs` (default `0.0.0.0/0`; set your addresses).",
        "- Service quotas for the GPU nodes, per region (Service Quotas console, EC2):",
        "",
        *_quotas(bp),
        "",
        "- Reservation capacity (ask your account team early for P instances):",
        "",
        *_reservations(bp),
        "",
        f"- A domain you own for `cellguard:domain` (default `{plain_stack}.example.com`, which you do",
        "  not own): `pulumi up` creates its hosted zone; delegate it by adding the `nameServers`",
        "  output as NS records in the parent zone.",
    ]
    if gated:
        lines += [
            "- A Hugging Face token for the models pulled from the hub ("
            + ", ".join(_c(m) for m in gated)
            + "): `pulumi config set --secret cellguard:huggingfaceToken hf_...` (gated models",
            "  also need the licence accepted on the hub with that account).",
        ]
    lines += [
        "",
        "## Costs that start at `pulumi up`",
        "",
        "EKS control planes, NAT gateways (one per zone), the system and GPU nodes at their minimum,",
        "OpenSearch domains, reservations and Capacity Blocks above, Route 53 zones and health",
        "checks, CloudWatch alarms and metrics. GPU nodes dominate; reservations bill even when idle.",
        "",
        "## Steps",
        "",
        "```",
        "pulumi login                        # or: pulumi login s3://<state bucket>",
        f"pulumi stack init {stack_name}",
        "python -m venv venv && venv/bin/pip install -r requirements.txt",
        "pulumi config set cellguard:domain <a domain you own>",
        "pulumi config set --path 'cellguard:apiAllowedCidrs[0]' <your address>/32",
        "pulumi config set cellguard:alarmEmail <on-call address>      # optional",
        "pulumi preview",
        "pulumi up",
        "```",
        "",
        "`pulumi up` creates the network, the clusters, the platform add-ons (Pod Identity agent,",
        "EBS CSI driver, metrics-server, NVIDIA device plugin, DCGM exporter, AWS Load Balancer",
        "Controller, Cluster Autoscaler, KEDA, metrics collector) and then the cells, in that",
        "order. Versions are pinned in `cellguard:versions` in "
        + f"`Pulumi.{stack_name}.yaml`"
        + ".",
        "",
        "Then delegate the domain (`pulumi stack output nameServers`) and confirm the SNS",
        "subscription mail if you set `cellguard:alarmEmail`.",
        "",
        "## Second step: upload the model weights",
        "",
    ]
    if weights:
        lines += [
            "The vLLM pods that cache weights wait (init container `prepull-weights`) until the",
            "weights are in their region's artifact bucket; `pulumi up` does not wait for them",
            "(`pulumi.com/skipAwait`). Upload to the primary region's bucket; replication copies",
            "them to every other region:",
            "",
            "```",
            f"BUCKET=$(pulumi stack output artifactBuckets --json | jq -r '.\"{primary}\"')",
            "```",
            "",
            *weights,
            "",
            "for example `aws s3 sync ./Llama-3.1-8B-Instruct s3://$BUCKET/models/llm/<revision>/`",
            "(the directory must hold `config.json`). Watch the pods start with",
            "`kubectl get pods -A -l app.kubernetes.io/part-of=" + plain_stack + "`.",
        ]
    else:
        lines += ["No model caches weights: nothing to upload."]
    lines += [
        "",
        "## Routing",
        "",
        "Clients call `http://api.<domain>/`: port 80 of the regional router NLBs behind Route 53",
        "latency records, each with a health check of `HTTP :80 /healthz`, with the header",
        "`X-Tenant-Id`. The cell map (ConfigMap `cell-map` in namespace `cell-router`) lists each",
        "cell's gateway `<cell>.cells.<domain>`, which resolves and connects from every region",
        "(private zone, VPC peering).",
        *_router(bp),
        "Put TLS in front (an ALB or CloudFront with your certificate) before exposing it.",
        "",
        "## Destroy",
        "",
        "DynamoDB tables have deletion protection and S3 buckets are not emptied, so a plain",
        "`pulumi destroy` stops at them. To delete everything, including data:",
        "",
        "```",
        "pulumi config set cellguard:allowDestroy true && pulumi up",
        "pulumi destroy",
        "```",
        "",
        "## What stays manual",
        "",
        "- Service quota increases and reservation capacity (above).",
        *(
            ["- The components listed under 'Not generated' (above)."]
            if not_generated(stack)
            else []
        ),
        "- Delegating the domain, and TLS in front of the routers.",
        "- Uploading the model weights (above) and the Hugging Face token for gated models.",
        "- Registering each OpenSearch snapshot bucket as a snapshot repository (an OpenSearch",
        "  API call with a role the domain may assume).",
        "- Publishing `ErrorRate` (percent of failed requests) to `CellGuard/Inference` from the",
        "  cell APIs; the collector publishes `QueueDepth`, `TimeToFirstToken` and `GpuXidErrors`.",
        "",
    ]
    return "\n".join(lines)
