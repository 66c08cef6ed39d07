"""``cellguard import k8s|cloudformation ... --into SPEC``: update a spec a person wrote.

The spec is edited as text: what a person wrote (business impact, journeys, waivers, comments,
blank lines) survives byte for byte; changed values are replaced, missing ones and new
components added; components and keys the manifests no longer have are reported, never deleted.
"""

from __future__ import annotations

import difflib
import json
import stat
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
CHAT = "tests/importers/fixtures/chat-frontend.yaml"
SPEC = REPO / "tests/importers/fixtures/into/chat-spec.yaml"
TEMPLATE = "tests/importers/fixtures/cloudformation/rag-data-and-fleet.yaml"

FEEDBACK = """---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: feedback
  namespace: chat
spec:
  replicas: 2
  selector:
    matchLabels: {app: feedback}
  template:
    metadata:
      labels: {app: feedback}
    spec:
      containers:
        - name: feedback
          image: registry.example.com/chat/feedback:2.1.0
          env:
            - {name: LLM_URL, value: "http://chat-llm:8000/v1"}
"""


def _manifests(tmp_path: Path) -> Path:
    """The chat manifests with the HPA floor at 4, the model on L40S, the session cache's
    StatefulSet renamed and a new feedback Deployment."""
    text = (REPO / CHAT).read_text(encoding="utf-8")
    text = text.replace("  minReplicas: 3\n", "  minReplicas: 4\n")
    text = text.replace("instance-gpu-name: l4", "instance-gpu-name: l40s")
    text = text.replace(
        "name: session-cache\n  namespace: chat\nspec:\n  serviceName",
        "name: session-store\n  namespace: chat\nspec:\n  serviceName",
    )
    path = tmp_path / "chat-changed.yaml"
    path.write_text(text + FEEDBACK, encoding="utf-8")
    return path


@pytest.fixture
def spec(repo_root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "chat.yaml"
    out.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    assert runner.invoke(app, ["import", "k8s", CHAT, "--into", str(out)]).exit_code == 0
    return out


def test_what_a_person_wrote_survives_byte_for_byte(spec: Path, tmp_path: Path) -> None:
    before = spec.read_text(encoding="utf-8")
    changed = _manifests(tmp_path)
    result = runner.invoke(app, ["import", "k8s", str(changed), "--into", str(spec)])
    assert result.exit_code == 0, result.output
    after = spec.read_text(encoding="utf-8")
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    # the only lines that went are the three values that changed
    assert [line for line in diff if line.startswith("- ")] == [
        "-     replicas: 3        # the HPA floor; keep in step with the manifests",
        "-       min: 3                                # from " + CHAT + ":120",
        "-       gpu: L4",
    ]
    # the person's comment stays, in its column, on the changed value's line
    assert "    replicas: 4        # the HPA floor; keep in step with the manifests\n" in after
    assert f"      min: 4                                # from {changed}:120\n" in after
    assert "      gpu: L40S\n" in after
    # everything before the components, the waivers and every comment are unchanged
    head = SPEC.read_text(encoding="utf-8").split("components:\n")[0]
    assert after.startswith(head)
    waivers = before[before.index("\nwaivers:") :]
    assert after.endswith(waivers)
    for line in before.splitlines():
        if line.lstrip().startswith("#"):
            assert line in after.splitlines()
    old, new = yaml.safe_load(before), yaml.safe_load(after)
    assert new["business"] == old["business"] and new["waivers"] == old["waivers"]
    assert new["metadata"] == old["metadata"]


def test_changed_replicas_updated_new_components_added_removed_ones_reported(
    spec: Path, tmp_path: Path
) -> None:
    changed = _manifests(tmp_path)
    result = runner.invoke(app, ["import", "k8s", str(changed), "--into", str(spec)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    components = {c["id"]: c for c in data["components"]}
    assert components["chat-frontend"]["replicas"] == 4
    assert components["chat-frontend"]["autoscaling"] == {"min": 4, "max": 12}
    assert components["chat-llm"]["serving"]["gpu"] == "L40S"
    # new workloads are appended, drafted as import drafts them, calling the spec's ids
    feedback = components["feedback"]
    assert feedback["labels"]["k8s/workload"] == "Deployment/chat/feedback"
    assert feedback["depends_on"] == [{"to": "chat-llm"}]
    assert components["session-store"]["labels"]["k8s/workload"] == (
        "StatefulSet/chat/session-store"
    )
    # the component the manifests no longer have is kept and reported, not deleted
    assert "session-cache" in components
    assert result.stderr.splitlines() == [
        f"cellguard: updated {spec} in place: 3 values changed, 0 added, 2 components added, "
        "2 left to you",
        f"  changed  chat-frontend: replicas: 3 -> 4 (from {changed}:120)",
        f"  changed  chat-frontend: autoscaling.min: 3 -> 4 (from {changed}:120)",
        f"  changed  chat-llm: serving.gpu: L4 -> L40S (from {changed}:157)",
        "  kept     session-cache: nothing in the manifests is called 'session-cache' or "
        "labelled as it; kept (remove it by hand if it is gone)",
        "  kept     chat-frontend: calls 'session-store' (a new component) (from "
        f"{changed}:17, ConfigMap chat-config key SESSION_STORE_URL (SESSION_STORE_URL)), "
        "which its depends_on does not list: add it by hand with its timeout and retries",
        f"  new      session-store: component session-store: StatefulSet/chat/session-store "
        f"(from {changed}:197)",
        f"  new      feedback: component feedback: Deployment/chat/feedback (from {changed}:242)",
    ]
    assert runner.invoke(app, ["validate", str(spec)]).exit_code == 0
    # drift agrees with the manifests now, and a second run changes nothing
    drift = runner.invoke(app, ["drift", str(spec), "--k8s", str(changed)])
    assert drift.exit_code == 0, drift.output
    again = runner.invoke(app, ["import", "k8s", str(changed), "--into", str(spec)])
    assert again.exit_code == 0
    assert again.stderr.splitlines()[0] == (
        f"cellguard: {spec} is up to date with the manifests; 2 left to you:"
    )


def test_missing_keys_are_added_with_their_source_line(repo_root: Path, tmp_path: Path) -> None:
    spec = tmp_path / "chat.yaml"
    spec.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["import", "k8s", CHAT, "--into", str(spec)])
    assert result.exit_code == 0, result.output
    after = spec.read_text(encoding="utf-8")
    # a whole mapping (autoscaling) and a key inside an existing one (model.pinned_version)
    assert (
        "        retries: 2\n"
        "    autoscaling:\n"
        f"      min: 3                                # from {CHAT}:120\n"
        f"      max: 12                               # from {CHAT}:121\n"
    ) in after
    assert (
        "      params_b: 8\n"
        "      pinned_version: a09a35458c702b33eeacc393d103063234e8bc28  # from "
        f"{CHAT}:165\n"
    ) in after
    assert "  added    chat-frontend: image.reference: ghcr.io/example/chat-frontend:2.4.1" in (
        result.stderr
    )


def test_removed_keys_are_reported_not_deleted(spec: Path, tmp_path: Path) -> None:
    drafted = tmp_path / "drafted.yaml"
    assert runner.invoke(app, ["import", "k8s", CHAT, "-o", str(drafted)]).exit_code == 0
    text = (REPO / CHAT).read_text(encoding="utf-8")
    start = text.index("kind: PodDisruptionBudget")
    no_pdb = tmp_path / "no-pdb.yaml"
    no_pdb.write_text(text[: text.rindex("---", 0, start)] + text[text.index("---", start) :])
    before = drafted.read_text(encoding="utf-8")
    result = runner.invoke(app, ["import", "k8s", str(no_pdb), "--into", str(drafted)])
    assert result.exit_code == 0, result.output
    assert drafted.read_text(encoding="utf-8") == before
    assert result.stderr.splitlines()[1:] == [
        "  kept  chat-frontend: chat-frontend labels.k8s/pdb: the spec says minAvailable=2, but "
        "no PodDisruptionBudget selects it any more (Deployment/chat/chat-frontend); remove "
        "labels.k8s/pdb by hand if that is intended"
    ]


def test_dry_run_prints_the_diff_and_writes_nothing(spec: Path, tmp_path: Path) -> None:
    before = spec.read_text(encoding="utf-8")
    spec.chmod(0o640)
    changed = _manifests(tmp_path)
    result = runner.invoke(app, ["import", "k8s", str(changed), "--into", str(spec), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert spec.read_text(encoding="utf-8") == before
    assert result.stdout.startswith(f"--- {spec}\n+++ {spec} (updated)\n@@ ")
    assert "-    replicas: 3        # the HPA floor" in result.stdout
    assert "+    replicas: 4        # the HPA floor" in result.stdout
    assert result.stderr.startswith(f"cellguard: --dry-run: {spec} not written; it would have ")
    assert runner.invoke(app, ["import", "k8s", str(changed), "--into", str(spec)]).exit_code == 0
    assert stat.S_IMODE(spec.stat().st_mode) == 0o640  # replaced atomically, mode kept
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_help_says_it_edits_in_place() -> None:
    for command in ("k8s", "cloudformation"):
        shown = runner.invoke(app, ["import", command, "--help"], terminal_width=200).stdout
        assert "IN PLACE" in shown and "--dry-run" in shown


def test_cloudformation_into_updates_instance_types_and_adds_versioning(
    repo_root: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "rag.yaml"
    assert (
        runner.invoke(app, ["import", "cloudformation", TEMPLATE, "-o", str(spec)]).exit_code == 0
    )
    text = spec.read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.strip().startswith("versioning: true"))
    spec.write_text(text.replace(line + "\n", "    # versioning: decided by the data team\n"))
    result = runner.invoke(
        app,
        [
            "import",
            "cloudformation",
            TEMPLATE,
            "-p",
            "ChatInstanceType=ml.g6e.2xlarge",
            "--into",
            str(spec),
        ],
    )
    assert result.exit_code == 0, result.output
    after = spec.read_text(encoding="utf-8")
    assert "    # versioning: decided by the data team\n" in after
    data = yaml.safe_load(after)
    components = {c["id"]: c for c in data["components"]}
    assert components["documentsbucket"]["versioning"] is True
    serving = components["chatendpoint"]["serving"]
    assert (serving["instance_types"], serving["gpu"]) == (["ml.g6e.2xlarge"], "L40S")
    assert (
        "  changed  chatendpoint: serving.instance_types: [ml.g5.2xlarge] -> [ml.g6e.2xlarge]"
        in (result.stderr)
    )
    drift = runner.invoke(
        app,
        ["drift", str(spec), "--cloudformation", TEMPLATE, "-p", "ChatInstanceType=ml.g6e.2xlarge"],
    )
    assert drift.exit_code == 0, drift.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.yaml"], "--into updates SPEC in place; it cannot be combined with -o or --name"),
        (["--name", "x"], "--into updates SPEC in place; it cannot be combined with -o or --name"),
    ],
)
def test_into_refuses_draft_options(spec: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["import", "k8s", CHAT, "--into", str(spec), *args])
    assert result.exit_code == 2
    assert f"cellguard: error: {message}" in result.stderr


def test_bad_input_exits_2_and_writes_nothing(spec: Path, tmp_path: Path) -> None:
    before = spec.read_text(encoding="utf-8")
    dry = runner.invoke(app, ["import", "k8s", CHAT, "--dry-run"])
    assert dry.exit_code == 2 and "--dry-run previews an update" in dry.stderr
    missing = runner.invoke(app, ["import", "k8s", CHAT, "--into", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "error[io]" in missing.stderr
    directory = runner.invoke(app, ["import", "k8s", CHAT, "--into", str(tmp_path)])
    assert directory.exit_code == 2
    assert "--into needs one spec file, not a directory" in directory.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x\n", encoding="utf-8")
    broken = runner.invoke(app, ["import", "k8s", str(bad), "--into", str(spec)])
    assert broken.exit_code == 2 and f"{bad}:4:1: error[yaml-syntax]" in broken.stderr
    assert "Traceback" not in broken.output
    assert spec.read_text(encoding="utf-8") == before
    report = json.loads(
        runner.invoke(app, ["drift", str(spec), "--k8s", CHAT, "-f", "json"]).stdout
    )
    assert report["differences"] == []


def test_an_update_that_would_not_validate_is_not_written(spec: Path, tmp_path: Path) -> None:
    text = spec.read_text(encoding="utf-8").replace(
        "      gpu: L4\n", "      gpu: L4\n      instance_types: [g6.xlarge]\n"
    )
    spec.write_text(text, encoding="utf-8")
    changed = _manifests(tmp_path)
    for extra in ([], ["--dry-run"]):
        result = runner.invoke(app, ["import", "k8s", str(changed), "--into", str(spec), *extra])
        assert result.exit_code == 2, result.output
        assert spec.read_text(encoding="utf-8") == text
        assert (
            f"cellguard: error: {spec} not updated: the update would not validate: line "
            in result.stderr
        )
        assert "g6.xlarge carries 1 x L4, not the declared L40S (serving.gpu)" in result.stderr
        assert ("+      gpu: L40S" in result.stdout) == bool(extra)  # the diff with --dry-run
        assert "Traceback" not in result.output


def test_a_block_list_becomes_a_flow_list_and_comments_in_it_stop_the_edit(
    repo_root: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "rag.yaml"
    assert (
        runner.invoke(app, ["import", "cloudformation", TEMPLATE, "-o", str(spec)]).exit_code == 0
    )
    text = spec.read_text(encoding="utf-8")
    line = next(r for r in text.splitlines() if "instance_types: [ml.g5.2xlarge]" in r)
    block = "      instance_types:\n        - ml.g5.2xlarge\n"
    spec.write_text(text.replace(line + "\n", block), encoding="utf-8")
    args = ["import", "cloudformation", TEMPLATE, "-p", "ChatInstanceType=ml.g6e.2xlarge"]
    result = runner.invoke(app, [*args, "--into", str(spec)])
    assert result.exit_code == 0, result.output
    after = spec.read_text(encoding="utf-8")
    assert "      instance_types: [ml.g6e.2xlarge]\n    replicas: 2" in after
    assert f"      gpu: L40S                             # from {TEMPLATE}:69\n" in after
    commented = (
        "      instance_types:\n        # the only type with quota\n        - ml.g5.2xlarge\n"
    )
    spec.write_text(text.replace(line + "\n", commented), encoding="utf-8")
    refused = runner.invoke(app, [*args, "--into", str(spec), "--dry-run"])
    assert refused.exit_code == 2  # the GPU would change beside the kept instance type
    assert "a block list with comments: set it by hand" in refused.stderr


def test_a_zone_count_is_updated_as_a_count(repo_root: Path, tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(
        "apiVersion: cellguard/v1\nkind: Stack\nmetadata: {name: shop}\nbusiness:\n  journeys:\n"
        "    - {id: buy, entrypoint: api, criticality: tier1}\ntopology:\n  accounts: [a]\n"
        "  regions:\n    - name: us-east-1\n      zones: [use1-az1, use1-az2, use1-az4]\n"
        "components:\n  - id: api\n    kind: app\n    placement:\n"
        "      zones: 2   # pinned by the platform team\n    replicas: 3\n",
        encoding="utf-8",
    )
    manifests = tmp_path / "api.yaml"
    manifests.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n"
        "  replicas: 3\n  selector: {matchLabels: {app: api}}\n  template:\n"
        "    metadata: {labels: {app: api}}\n    spec:\n"
        "      affinity:\n        nodeAffinity:\n"
        "          requiredDuringSchedulingIgnoredDuringExecution:\n"
        "            nodeSelectorTerms:\n              - matchExpressions:\n"
        "                  - key: topology.kubernetes.io/zone\n                    operator: In\n"
        "                    values: [us-east-1a, us-east-1b, us-east-1c]\n"
        "      containers: [{name: api, image: 'shop/api:1'}]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", "k8s", str(manifests), "--into", str(spec)])
    assert result.exit_code == 0, result.output
    assert "      zones: 3   # pinned by the platform team\n" in spec.read_text(encoding="utf-8")
