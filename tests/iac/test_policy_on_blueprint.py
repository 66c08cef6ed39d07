"""The generated infrastructure of cell-multi-region passes every policy of the policy pack."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)
from pulumi_policy.proxy import unknown_checking_proxy

from cellguard.blueprints.policies.pack import build_policies
from cellguard.blueprints.policies.workloads import is_gpu_workload
from cellguard.blueprints.program import deploy_file
from cellguard.iac.mockrun import run_program

REPO = Path(__file__).resolve().parents[2]
OPTS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def _violations(config: dict[str, object]) -> tuple[Counter[str], int, int]:
    """Violations per policy of the cell-multi-region blueprint under ``config``."""
    cap = run_program(lambda: deploy_file(REPO / "examples" / "cell-multi-region.yaml"), config)
    resources = []
    for r in cap.resources:
        # outputs the mocks answer with (what a preview shows once the ids are known)
        props = {"id": f"{r.name}-id", "arn": f"arn:aws:mock:::{r.type}/{r.name}", **r.inputs}
        if r.type == "aws:s3/bucket:Bucket":
            props.setdefault("bucket", f"{r.name}-bucket")
        resources.append(
            PolicyResource(
                r.type, unknown_checking_proxy(props), r.urn, r.name, OPTS, None, None, [], {}
            )
        )
    violations: Counter[str] = Counter()
    policies = build_policies()
    for policy in policies:
        if isinstance(policy, ResourceValidationPolicy):
            for r in resources:
                args = ResourceValidationArgs(r.resource_type, r.props, r.urn, r.name, OPTS, None)
                policy.validate(args, lambda m, u=None, n=policy.name: violations.update([n]))
        else:
            policy.validate(
                StackValidationArgs(resources),
                lambda m, u=None, n=policy.name: violations.update([n]),
            )
    return violations, len(policies), sum(is_gpu_workload(r) for r in resources)


def test_generated_infrastructure_has_no_policy_violations() -> None:
    violations, policies, gpu = _violations({"cellguard:apiAllowedCidrs": ["203.0.113.0/24"]})
    assert dict(violations) == {}
    assert policies >= 5
    assert gpu == 8  # llm + embedder in 4 cells


def test_the_default_open_api_endpoint_is_reported_as_advisory() -> None:
    violations, _, _ = _violations({})
    assert dict(violations) == {"cellguard-eks-private-endpoint": 2}  # one per region
