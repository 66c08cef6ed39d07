"""Why the blueprint leaves a component out (blueprints/coverage.py, issue 17 item 6): a
self-hosted model off EKS is not 'a model its provider runs' (review)."""

from __future__ import annotations

from pathlib import Path

from cellguard.blueprints.coverage import not_generated
from cellguard.models.stack import Stack
from tests.helpers import REPO, load_texts

EXAMPLE = REPO / "examples" / "vllm-single-zone.yaml"


def _stack(text: str) -> Stack:
    stack = load_texts(text, org_mode=False).stacks[0]
    return getattr(stack, "stack", stack)


def test_a_self_hosted_model_off_eks_is_named_as_such() -> None:
    text = Path(EXAMPLE).read_text(encoding="utf-8")
    on_ec2 = text.replace(
        "    runtime: eks\n    model:\n      name: Qwen",
        "    runtime: ec2\n    model:\n      name: Qwen",
    )
    assert on_ec2 != text
    reasons = dict(not_generated(_stack(on_ec2)))
    assert reasons["coder-llm"] == (
        "a self-hosted model on runtime ec2: not generated (the blueprint serves self-hosted "
        "models on EKS GPU node pools only)"
    )
    assert "coder-llm" not in dict(not_generated(_stack(text)))  # on EKS it is generated
