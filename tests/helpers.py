"""Test helpers: a small valid stack and functions that load YAML text through the real loader."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from textwrap import dedent
from types import ModuleType

import pytest

from cellguard.models.loader import (
    Organisation,
    SpecLoadError,
    build_organisation,
    parse_document,
)

REPO = Path(__file__).resolve().parent.parent

BASE_STACK = dedent(
    """\
    apiVersion: cellguard/v1
    kind: Stack
    metadata:
      name: demo
      owner: team
    business:
      journeys:
        - id: chat
          entrypoint: web
          criticality: tier1
    topology:
      accounts: [prod]
      regions:
        - name: us-east-1
          zones: [use1-az1, use1-az2, use1-az4]
    components:
      - id: web
        kind: app
        placement: {zones: 3}
        replicas: 3
        depends_on:
          - {to: llm, timeout_ms: 30000, mode: stream}
      - id: llm
        kind: model_endpoint
        hosting: bedrock
    """
)


def load_texts(*texts: str, org_mode: bool = True) -> Organisation:
    """Load YAML texts (named doc0.yaml, doc1.yaml, ...) as one organisation."""
    docs = [parse_document(t, f"doc{i}.yaml") for i, t in enumerate(texts)]
    return build_organisation(docs, org_mode=org_mode)


def load_errors(*texts: str, org_mode: bool = True) -> list[str]:
    """Load texts that must fail; return the rendered error diagnostics."""
    with pytest.raises(SpecLoadError) as info:
        load_texts(*texts, org_mode=org_mode)
    return [d.render() for d in info.value.errors]


def org_generator() -> ModuleType:
    """``benchmarks/assess_scale.py`` loaded as a module (its ``write_org(root, n)`` writes the
    generated organisation of ``n`` components the scale tests and the benchmark use)."""
    path = REPO / "benchmarks" / "assess_scale.py"
    spec = importlib.util.spec_from_file_location("assess_scale_generator", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
