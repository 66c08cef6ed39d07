"""Schema errors mapped to lines and key paths, and the semantic checks after parsing."""

from __future__ import annotations

import pytest

from cellguard.models import Stack
from cellguard.models.enums import DependencyMode
from cellguard.models.loader import Severity, SpecLoadError
from tests.helpers import BASE_STACK, load_errors, load_texts


def edit(old: str, new: str, text: str = BASE_STACK) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_base_stack_loads_with_string_and_async_shorthands() -> None:
    text = edit("  - id: llm\n", "  - id: q\n    kind: queue\n  - id: llm\n")
    text = edit(
        "      - {to: llm, timeout_ms: 30000, mode: stream}\n",
        "      - {to: llm, timeout_ms: 30000, mode: stream}\n      - {to: q, async: true}\n",
        text,
    )
    org = load_texts(text)
    stack = org.stacks[0]
    assert isinstance(stack, Stack)
    web = stack.component("web")
    assert web is not None
    assert [d.mode for d in web.depends_on] == [DependencyMode.STREAM, DependencyMode.ASYNC]
    assert web.depends_on[0].attempts == 1


def test_bare_string_dependency() -> None:
    org = load_texts(edit("- {to: llm, timeout_ms: 30000, mode: stream}", "- llm"))
    web = org.stacks[0].component("web")
    assert web is not None and web.depends_on[0].to == "llm"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "replicas: 3",
            "replicaz: 3",
            [
                "doc0.yaml:20:5: error[unknown-key] components[0].replicaz: unknown key 'replicaz'",
                "hint: did you mean 'replicas'?",
            ],
        ),
        (
            "kind: model_endpoint",
            "kind: model_endpont",
            [
                "doc0.yaml:24:11: error[unknown-kind] components[1].kind: unknown kind 'model_endpont'",
                "did you mean 'model_endpoint'?",
            ],
        ),
        (
            "criticality: tier1",
            "criticality: Tier1",
            [
                "doc0.yaml:10:20: error[invalid-value] business.journeys[0].criticality: invalid value 'Tier1'",
                "did you mean 'tier1'?",
            ],
        ),
        (
            "replicas: 3",
            "replicas: -1",
            ["doc0.yaml:20:15: error[greater-than-equal] components[0].replicas"],
        ),
        (
            "placement: {zones: 3}",
            "placement: {zones: 0}",
            ["doc0.yaml:19:24: error[greater-than-equal] components[0].placement.zones"],
        ),
        (
            "  owner: team\n",
            "  owner: team\n  labels: {flag: yes}\n",
            [
                "metadata.labels.flag: input should be a valid string (got true)",
                "put the value in quotes",
            ],
        ),
        (
            "hosting: bedrock",
            "hosting: bedrock\n    availability: 100.5",
            ["components[1].availability: input should be less than or equal to 100 (got 100.5)"],
        ),
    ],
)
def test_schema_errors_point_at_the_offending_line(old: str, new: str, expected: list[str]) -> None:
    rendered = "\n".join(load_errors(edit(old, new)))
    for fragment in expected:
        assert fragment in rendered


def test_missing_key_names_the_key_and_what_it_is() -> None:
    (msg,) = load_errors(edit("      entrypoint: web\n", ""))
    assert "business.journeys[0].entrypoint: missing required key 'entrypoint'" in msg
    assert "expected: The component where the journey enters the stack." in msg


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("{to: llm,", "{to: lm,", "unknown component 'lm'"),
        ("entrypoint: web", "entrypoint: wbe", "did you mean 'web'?"),
        ("- id: llm", "- id: web", "duplicate component 'web' (first defined at line 17)"),
        (
            "placement: {zones: 3}",
            "placement: {zones: 4}",
            "asks for 4 zones but region us-east-1 has 3",
        ),
        ("placement: {zones: 3}", "placement: {zones: [use1-az9]}", "unknown zone 'use1-az9'"),
        (
            "placement: {zones: 3}",
            "placement: {zones: 3, account: stage}",
            "unknown account 'stage'",
        ),
        ("placement: {zones: 3}", "placement: {zones: 3, cells: [c1]}", "unknown cell 'c1'"),
        (
            "replicas: 3",
            "replicas: 3\n    min_healthy_replicas: 5",
            "min_healthy_replicas (5) exceeds replicas (3)",
        ),
        (
            "replicas: 3",
            "replicas: 3\n    autoscaling: {min: 5, max: 2}",
            "autoscaling.min (5) exceeds autoscaling.max (2)",
        ),
        ("{to: llm,", "{to: web,", "component 'web' depends on itself"),
        ("{to: llm,", "{to: demo/web,", "component 'web' depends on itself"),
        ("mode: stream}", "mode: stream}\n      - demo/llm", "'web' already depends on 'demo/llm'"),
        (
            "mode: stream}",
            "mode: stream, fallback: llm}",
            "fallback 'llm' cannot be the dependency itself",
        ),
        (
            "zones: [use1-az1, use1-az2, use1-az4]",
            "zones: [use1-az1, use1-az1]",
            "duplicate zone 'use1-az1'",
        ),
        (
            "    hosting: bedrock\n",
            "    hosting: bedrock\n    shared_domains: [quota]\n",
            "unknown shared domain 'quota'",
        ),
    ],
)
def test_semantic_errors(old: str, new: str, fragment: str) -> None:
    assert fragment in "\n".join(load_errors(edit(old, new)))


def test_waiver_target_must_exist_and_waiver_needs_reason_owner_expiry() -> None:
    waiver = (
        "waivers:\n  - {rule: CG-RED-004, target: kbb, reason: r, owner: o, expires: 2027-01-01}\n"
    )
    msg = "\n".join(load_errors(BASE_STACK + waiver))
    assert "waiver target 'kbb' is not a component or journey of 'demo'" in msg
    incomplete = "waivers:\n  - {rule: CG-RED-004, target: web}\n"
    msg = "\n".join(load_errors(BASE_STACK + incomplete))
    for key in ("reason", "owner", "expires"):
        assert f"missing required key '{key}'" in msg


def test_cycle_is_shown_in_order_and_optional_or_async_edges_break_it() -> None:
    cyclic = edit("    hosting: bedrock\n", "    hosting: bedrock\n    depends_on: [web]\n")
    (msg,) = load_errors(cyclic)
    assert "dependency cycle among required dependencies: llm -> web -> llm" in msg
    for soft in ("{to: web, optional: true}", "{to: web, mode: async}"):
        load_texts(cyclic.replace("depends_on: [web]", f"depends_on: [{soft}]"))


PLATFORM = """\
apiVersion: cellguard/v1
kind: Platform
metadata: {name: platform}
topology:
  accounts: [shared]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2]}]
  shared_domains: [{id: tpm-quota, type: account_quota}]
components:
  - {id: kb, kind: vector_store, engine: opensearch}
  - {id: gw, kind: model_endpoint, hosting: bedrock, shared_domains: [tpm-quota]}
"""


def test_cross_stack_references_resolve_in_an_organisation() -> None:
    stack = edit("{to: llm,", "{to: platform/gw,").replace(
        "      - {to: platform/gw",
        "      - {to: platform/kb, timeout_ms: 500}\n      - {to: platform/gw",
    )
    stack = stack.replace(
        "    hosting: bedrock\n", "    hosting: bedrock\n    shared_domains: [platform/tpm-quota]\n"
    )
    org = load_texts(stack, PLATFORM)
    assert [d.name for d in org.documents] == ["demo", "platform"]
    assert org.resolve("platform/kb", "demo") is not None
    assert org.warnings == []


def test_cross_stack_typos_get_suggestions() -> None:
    stack = edit("{to: llm,", "{to: platfrom/kb,")
    assert "did you mean 'platform/kb'?" in "\n".join(load_errors(stack, PLATFORM))
    stack = edit("{to: llm,", "{to: platform/kbb,")
    assert "unknown component 'kbb' in 'platform'" in "\n".join(load_errors(stack, PLATFORM))


def test_single_file_mode_warns_about_unloaded_stacks() -> None:
    org = load_texts(edit("{to: llm,", "{to: platform/kb,"), org_mode=False)
    (warning,) = org.warnings
    assert warning.severity is Severity.WARNING
    assert "stack 'platform' is not loaded" in warning.message


def test_cycles_are_found_across_stacks() -> None:
    platform = PLATFORM.replace(
        "engine: opensearch}", "engine: opensearch, depends_on: [demo/web]}"
    )
    msg = "\n".join(load_errors(edit("{to: llm,", "{to: platform/kb,"), platform))
    assert "demo/web -> platform/kb -> demo/web" in msg


def test_duplicate_stack_names_across_files() -> None:
    msg = "\n".join(load_errors(BASE_STACK, BASE_STACK))
    assert "duplicate stack name 'demo' (also in doc0.yaml)" in msg


def test_every_error_is_collected_not_just_the_first() -> None:
    text = edit("replicas: 3", "replicaz: 3", edit("criticality: tier1", "criticality: tier9"))
    with pytest.raises(SpecLoadError) as info:
        load_texts(text)
    assert len(info.value.errors) == 2
