"""What each service calls in AWS, from the spec's ``depends_on``: DynamoDB stores and Bedrock
models (fallbacks included), so that its pods get a Pod Identity role allowed exactly that.

Pure (no pulumi import). The policy names the tables the blueprint creates for the store
(``<stack>-<table>``, in the regions that hold them: global-table replicas included) and, for a
Bedrock model, the foundation model in every region and, for a cross-region inference profile
(``us.``, ``eu.``, ... ids), the profile too: a profile routes to the model in other regions.
"""

from __future__ import annotations

from cellguard.blueprints.identity import allow, policy
from cellguard.blueprints.model import Blueprint, Workload
from cellguard.models.enums import Hosting, StoreEngine
from cellguard.models.stack import Stack

GEO_PREFIXES = ("us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global.")
TABLE_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
]
MODEL_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


def with_reads(bp: Blueprint, stack: Stack) -> Blueprint:
    """``bp`` with each workload's DynamoDB stores and Bedrock models from ``stack``."""
    by_id = {c.id: c for c in stack.components}
    stores: dict[str, list[str]] = {}
    models: dict[str, list[str]] = {}
    for comp in stack.components:
        called = [d.to for d in comp.depends_on] + [d.fallback for d in comp.depends_on]
        for target in called:
            dep = by_id.get(str(target or ""))
            if dep is None:
                continue
            if getattr(dep, "engine", None) is StoreEngine.DYNAMODB:
                stores.setdefault(comp.id, []).append(dep.id)
            model = getattr(dep, "model", None)
            if getattr(dep, "hosting", None) is Hosting.BEDROCK and model is not None:
                models.setdefault(comp.id, []).append(model.name)
    regions = []
    for region in bp.regions:
        cells = []
        for cell in region.cells:
            workloads: list[Workload] = [
                w.model_copy(
                    update={
                        "reads_stores": sorted(set(stores.get(w.component, []))),
                        "reads_models": sorted(set(models.get(w.component, []))),
                    }
                )
                for w in cell.workloads
            ]
            cells.append(cell.model_copy(update={"workloads": workloads}))
        regions.append(region.model_copy(update={"cells": cells}))
    return bp.model_copy(update={"regions": regions})


def reads_policy(bp: Blueprint, w: Workload, region: str) -> str | None:
    """The IAM policy of ``w``'s pods in ``region`` (None when it calls nothing in AWS)."""
    statements = []
    tables = [
        f"arn:aws:dynamodb:{region}:*:table/{bp.stack}-{t.name}"
        for t in bp.data.tables
        if t.component in w.reads_stores and region in (t.home_region, *t.replica_regions)
    ]
    if tables:
        statements.append(allow(TABLE_ACTIONS, tables + [f"{t}/index/*" for t in tables]))
    resources: list[str] = []
    for model in w.reads_models:
        base = model.split(".", 1)[1] if model.startswith(GEO_PREFIXES) else model
        resources.append(f"arn:aws:bedrock:*::foundation-model/{base}")
        if base != model:
            resources.append(f"arn:aws:bedrock:*:*:inference-profile/{model}")
    if resources:
        statements.append(allow(MODEL_ACTIONS, sorted(set(resources))))
    return policy(*statements) if statements else None
