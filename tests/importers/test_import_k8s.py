"""End-to-end tests of ``cellguard import k8s`` through the real CLI.

Every fixture imports to a draft that validates and assesses; placeholders leave the business
verdicts UNKNOWN (or not applicable), never FAIL; imported values point at their lines; secrets
never reach the draft; bad input exits 2 with file:line and no traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.models.loader import load
from tests.helpers import REPO

runner = CliRunner()
FIXTURES = Path("tests/importers/fixtures")
GOOD = sorted(p.name for p in (REPO / FIXTURES).glob("*.yaml"))
RAY = str(FIXTURES / "ray-serve-vllm.yaml")
CHAT = str(FIXTURES / "chat-frontend.yaml")
TODAY = "2026-01-10"


def _import(tmp_path: Path, *paths: str) -> tuple[Path, dict[str, object], str]:
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["import", "k8s", *paths, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, yaml.safe_load(out.read_text(encoding="utf-8")), result.stderr


def _component(data: dict[str, object], cid: str) -> dict[str, object]:
    components = data["components"]
    assert isinstance(components, list)
    return next(c for c in components if c["id"] == cid)


def test_there_are_the_five_fixtures_the_issue_asks_for_and_one_for_the_other_kinds() -> None:
    assert GOOD == [
        "chat-frontend.yaml",
        "keda-worker.yaml",
        "kserve-kubeflow-karpenter.yaml",
        "lws-vllm-multinode.yaml",
        "nim-service.yaml",
        "ray-serve-vllm.yaml",
    ]


@pytest.mark.parametrize("name", GOOD)
def test_each_fixture_imports_to_a_draft_that_validates_and_assesses(
    repo_root: Path, tmp_path: Path, name: str
) -> None:
    out, _, _ = _import(tmp_path, str(FIXTURES / name))
    validated = runner.invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output
    assert load(out).stacks
    assessed = runner.invoke(app, ["assess", str(out), "-f", "json", "--today", TODAY])
    assert assessed.exit_code == 0, assessed.output
    report = json.loads(assessed.stdout)
    assert report["summary"]["ERROR"] == 0
    statuses = {(f["rule"], f["target"]): f["status"] for f in report["findings"]}
    for journey in report["journeys"]:
        # business verdicts: no objective, no interaction, so UNKNOWN -- never FAIL
        target = journey["journey"]
        assert statuses[("CG-RED-010", target)] == "UNKNOWN"
        assert journey["objective"] is None
        assert journey["loss_per_year"] is None  # no money invented
    for (rule, _), status in statuses.items():
        if rule in ("CG-RED-007", "CG-RED-008", "CG-TIM-008", "CG-RED-010", "CG-CAP-011"):
            assert status != "FAIL", (rule, status)


def test_placeholders_leave_business_verdicts_unknown_not_failed(
    repo_root: Path, tmp_path: Path
) -> None:
    out, _, _ = _import(tmp_path, CHAT)
    assessed = runner.invoke(
        app, ["assess", str(out), "-f", "json", "--include-passed", "--today", TODAY]
    )
    report = json.loads(assessed.stdout)
    status = {(f["rule"], f["target"]): f["status"] for f in report["findings"]}
    assert status[("CG-RED-010", "chat-frontend")] == "UNKNOWN"  # no availability objective
    assert status[("CG-TIM-002", "chat-frontend")] == "UNKNOWN"  # interaction unknown
    assert status[("CG-TIM-005", "chat-frontend")] == "UNKNOWN"
    assert status[("CG-CAP-005", "chat-frontend")] == "UNKNOWN"
    assert status[("CG-CAP-011", "chat-llm")] == "UNKNOWN"  # demand and model size unknown
    # RPO, RTO and latency objectives that are not set are not judged (UNKNOWN, or not
    # applicable in rule versions that skip unset objectives): never PASS or FAIL
    for rule in ("CG-RED-007", "CG-RED-008", "CG-TIM-008"):
        assert status[(rule, "chat-frontend")] in ("UNKNOWN", "NOT_APPLICABLE")
    # the placeholder tier is not tier0/tier1: those checks do not judge an invented tier
    assert status[("CG-RED-001", "chat-frontend")] == "NOT_APPLICABLE"
    # no money is invented: business impact never raises a severity; the placeholder tier
    # lowers it by one, as a component on no journey would be
    impacts = [f["impact"] for f in report["findings"] if f["status"] == "FAIL" and f["impact"]]
    assert impacts
    for impact in impacts:
        assert (impact["revenue_per_hour"], impact["penalty_per_incident"]) == (0, 0)
        assert impact["severity_shift"] == -1
        assert impact["criticality"] == "tier2"


def test_the_ray_serve_endpoint_has_its_replica_range_gpus_model_and_engine(
    repo_root: Path, tmp_path: Path
) -> None:
    _, data, _ = _import(tmp_path, RAY)
    llm = _component(data, "llama-70b")
    assert llm["kind"] == "model_endpoint"
    assert llm["hosting"] == "self_hosted"
    assert llm["replicas"] == 2
    assert llm["autoscaling"] == {"min": 2, "max": 6}
    assert llm["model"] == {"name": "meta-llama/Llama-3.1-70B-Instruct", "context_tokens": 32768}
    assert llm["serving"] == {
        "engine": "vllm",
        "gpu": "L40S",
        "gpus_per_replica": 4,
        "instance_types": ["g6e.12xlarge"],
        "max_concurrency": 64,
    }
    assert llm["rollout"] == {"strategy": "blue_green"}
    assert llm["labels"]["k8s/served-model-name"] == "llama-3.1-70b"
    assert llm["labels"]["k8s/workload"] == "RayService/llm/llama-70b"


def test_every_imported_value_names_its_file_and_line(repo_root: Path, tmp_path: Path) -> None:
    out, _, _ = _import(tmp_path, RAY)
    text = out.read_text(encoding="utf-8")
    source = (REPO / RAY).read_text(encoding="utf-8").splitlines()
    expected = {
        "replicas: 2": ("min_replicas: 2", 37),
        "max: 6": ("max_replicas: 6", 38),
        "name: meta-llama/Llama-3.1-70B-Instruct": ("model_source:", 29),
        "gpu: L40S": ("accelerator_type: L40S", 30),
        "gpus_per_replica: 4": ("tensor_parallel_size: 4", 32),
        "max_concurrency: 64": ("max_num_seqs: 64", 34),
        "instance_types: [g6e.12xlarge]": ("instance-type: g6e.12xlarge", 69),
    }
    for value, (needle, line) in expected.items():
        found = [row for row in text.splitlines() if row.strip().startswith(value)]
        assert len(found) == 1, (value, found)
        assert f"# from {RAY}:{line}" in found[0], found[0]
        assert needle in source[line - 1]
    # every component value carries a comment
    body = text.split("components:", 1)[1].split("# TODO(cellguard import): practices")[0]
    for row in body.splitlines():
        if ": " in row and not row.lstrip().startswith("#") and not row.rstrip().endswith(":"):
            assert "  # " in row, row


def test_secrets_are_never_read_into_the_draft(repo_root: Path, tmp_path: Path) -> None:
    out, _, _ = _import(tmp_path, RAY)
    text = out.read_text(encoding="utf-8")
    assert "aGZfc2VjcmV0" not in text
    assert "hf_secret_token_value" not in text
    assert "secrets used (names only, values never read): hf-token" in text


def test_chat_front_end_dependencies_scaling_pdb_and_probes(
    repo_root: Path, tmp_path: Path
) -> None:
    _, data, stderr = _import(tmp_path, CHAT)
    front = _component(data, "chat-frontend")
    assert front["replicas"] == 3
    assert front["autoscaling"] == {"min": 3, "max": 12, "metric": "cpu"}
    assert front["placement"] == {"zones": 2}
    assert front["labels"] == {
        "k8s/pdb": "minAvailable=2",
        "k8s/priority-class": "user-facing",
        "k8s/probes": "liveness,readiness",
        "k8s/workload": "Deployment/chat/chat-frontend",
    }
    assert front["depends_on"] == [{"to": "chat-llm"}, {"to": "session-cache"}]
    llm = _component(data, "chat-llm")
    assert llm["model"] == {
        "name": "Qwen/Qwen2.5-7B-Instruct",
        "context_tokens": 16384,
        "pinned_version": "a09a35458c702b33eeacc393d103063234e8bc28",
    }
    assert llm["serving"]["gpu"] == "L4"
    cache = _component(data, "session-cache")
    assert (cache["kind"], cache["engine"]) == ("cache", "redis")
    journeys = data["business"]["journeys"]
    assert [(j["id"], j["entrypoint"], j["criticality"]) for j in journeys] == [
        ("chat-frontend", "chat-frontend", "tier2")
    ]
    assert data["topology"]["accounts"] == ["todo-account"]
    # the kind it does not understand is listed, not dropped
    assert (
        f"cellguard: not imported: ServiceMonitor/chat/chat-frontend (monitoring.coreos.com/v1) "
        f"at {CHAT}:228: kind not understood"
    ) in stderr
    assert "#   ServiceMonitor/chat/chat-frontend (monitoring.coreos.com/v1)" in (
        tmp_path / "draft.yaml"
    ).read_text(encoding="utf-8")


def test_lws_gpus_per_replica_count_the_whole_group(repo_root: Path, tmp_path: Path) -> None:
    _, data, _ = _import(tmp_path, str(FIXTURES / "lws-vllm-multinode.yaml"))
    llm = _component(data, "llama-405b")
    assert llm["replicas"] == 2
    assert llm["serving"]["gpus_per_replica"] == 16
    assert llm["serving"]["gpu"] == "H100"
    assert llm["model"]["name"] == "meta-llama/Llama-3.1-405B-Instruct-FP8"
    assert llm["serving"]["max_concurrency"] == 32
    assert llm["capacity"] == {"purchase": "on_demand"}
    assert llm["labels"]["k8s/pdb"] == "maxUnavailable=1"


def test_nim_service_model_version_and_cache(repo_root: Path, tmp_path: Path) -> None:
    _, data, _ = _import(tmp_path, str(FIXTURES / "nim-service.yaml"))
    nim = _component(data, "llama-3-1-8b")
    assert nim["model"] == {"name": "meta/llama-3.1-8b-instruct", "pinned_version": "1.3.3"}
    assert nim["serving"] == {
        "engine": "nim",
        "gpu": "A10G",
        "gpus_per_replica": 1,
        "model_cache": True,
    }
    assert (nim["replicas"], nim["autoscaling"]) == (2, {"min": 2, "max": 4})


def test_keda_worker_scales_from_zero_and_calls_its_queue_and_store(
    repo_root: Path, tmp_path: Path
) -> None:
    _, data, _ = _import(tmp_path, str(FIXTURES / "keda-worker.yaml"))
    worker = _component(data, "embed-worker")
    assert worker["autoscaling"] == {"min": 0, "max": 20, "metric": "queue_depth"}
    assert worker["replicas"] == 1
    assert worker["depends_on"] == [{"to": "qdrant"}, {"to": "rabbitmq"}]
    queue = _component(data, "rabbitmq")
    assert (queue["kind"], queue["placement"], queue["replicas"]) == ("queue", {"zones": 3}, 3)
    store = _component(data, "qdrant")
    assert (store["kind"], store["engine"], store["placement"]) == (
        "vector_store",
        "qdrant",
        {"zones": ["todo-zone-1"]},  # the placeholder of us-east-1a, not the region's first zone
    )
    region = data["topology"]["regions"][0]
    assert region == {"name": "us-east-1", "zones": ["todo-zone-1", "todo-zone-2", "todo-zone-3"]}


def test_kserve_kubeflow_cronjob_daemonset_and_karpenter_node_pool(
    repo_root: Path, tmp_path: Path
) -> None:
    out, data, _ = _import(tmp_path, str(FIXTURES / "kserve-kubeflow-karpenter.yaml"))
    text = out.read_text(encoding="utf-8")
    llm = _component(data, "llama3")
    assert llm["model"] == {"name": "meta-llama/Meta-Llama-3-8B-Instruct"}
    assert llm["labels"]["k8s/served-model-name"] == "llama3"
    # the GPU type, capacity type and zones come from the NodePool its toleration matches
    # the Hugging Face runtime's documented default backend for text generation is vLLM
    assert llm["serving"] == {"engine": "vllm", "gpu": "H100", "gpus_per_replica": 1}
    assert llm["capacity"] == {"purchase": "on_demand"}
    # zone names (node labels) differ per account: the draft lists a placeholder id per name,
    # and the topology maps the placeholders to the names in a comment
    assert llm["placement"] == {"zones": ["todo-zone-1", "todo-zone-2"]}
    assert (llm["replicas"], llm["autoscaling"]) == (2, {"min": 2, "max": 5})
    assert llm["shared_domains"] == ["gpu-h100"]
    job = _component(data, "finetune-support")
    assert (job["kind"], job["platform"], job["gpu"], job["replicas"]) == (
        "training_job",
        "eks",
        "H100",
        4,
    )
    assert job["shared_domains"] == ["gpu-h100"]
    cron = _component(data, "nightly-eval")
    assert cron["labels"]["k8s/schedule"] == "0 2 * * *"
    assert cron["depends_on"] == [{"to": "llama3"}]  # via the predictor's Service name
    daemon = _component(data, "dcgm-exporter")
    assert "replicas" not in daemon
    topology = data["topology"]
    assert topology["regions"] == [{"name": "us-west-2", "zones": ["todo-zone-1", "todo-zone-2"]}]
    assert (
        "TODO(cellguard import): the zone ids of todo-zone-1 = us-west-2a, "
        "todo-zone-2 = us-west-2b (from" in text
    )
    assert topology["shared_domains"] == [
        {
            "id": "gpu-h100",
            "type": "gpu_node_pool",
            "description": "node pool gpu-h100: llama3, finetune-support",
        }
    ]


def test_prints_to_standard_output_without_o_and_reads_standard_input(
    repo_root: Path, tmp_path: Path
) -> None:
    text = (REPO / CHAT).read_text(encoding="utf-8")
    result = runner.invoke(app, ["import", "k8s", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Draft generated by `cellguard import k8s` from <stdin>.")
    assert "# from <stdin>:57 (env OPENAI_BASE_URL)" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_never_overwrites_without_force(repo_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    out.write_text("mine\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "k8s", CHAT, "-o", str(out)])
    assert result.exit_code == 2
    assert f"cellguard: error: {out} already exists" in result.stderr
    assert out.read_text(encoding="utf-8") == "mine\n"
    forced = runner.invoke(app, ["import", "k8s", CHAT, "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert out.read_text(encoding="utf-8").startswith("# Draft generated")


INVALID = {
    "invalid-yaml.yaml": "invalid-yaml.yaml:18:1: error[yaml-syntax] (document): YAML syntax "
    "error: did not find expected ',' or ']' (while parsing a flow sequence)",
    "unknown-api-version.yaml": "unknown-api-version.yaml:13:13: error[k8s-api-version] "
    "apiVersion: HorizontalPodAutoscaler 'web': unknown apiVersion 'autoscaling/v9'",
    "bad-secret.yaml": "bad-secret.yaml:7:13: error[k8s-secret] data.HF_TOKEN: Secret "
    "'hf-token': the value of 'HF_TOKEN' is not base64",
    "wrong-types.yaml": "wrong-types.yaml:6:13: error[k8s-value] spec.replicas: Deployment "
    "'web': expected a whole number, got 'three'",
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_bad_input_exits_2_with_file_and_line(repo_root: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / "draft.yaml"
    path = FIXTURES / "invalid" / name
    result = runner.invoke(app, ["import", "k8s", str(path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first == f"{FIXTURES}/invalid/{INVALID[name]}"
    assert "Traceback" not in result.output
    assert not out.exists()
    assert "plaintext-token" not in result.output


def test_every_problem_of_every_input_is_reported_at_once(repo_root: Path) -> None:
    paths = [str(FIXTURES / "invalid" / n) for n in ("bad-secret.yaml", "wrong-types.yaml")]
    result = runner.invoke(app, ["import", "k8s", *paths])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "cellguard: 3 errors"


def test_a_directory_without_workloads_and_a_missing_path_are_errors(
    repo_root: Path, tmp_path: Path
) -> None:
    (tmp_path / "rbac.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["import", "k8s", str(tmp_path)])
    assert result.exit_code == 2
    assert "error[k8s-empty] (document): no workloads found in the manifests" in result.stderr
    missing = runner.invoke(app, ["import", "k8s", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2
    assert re.search(r"nope\.yaml:1:1: error\[io\] .*no such file or directory", missing.stderr)


def test_a_count_past_the_spec_bounds_is_an_input_error(repo_root: Path, tmp_path: Path) -> None:
    text = (REPO / FIXTURES / "lws-vllm-multinode.yaml").read_text(encoding="utf-8")
    path = tmp_path / "huge.yaml"
    path.write_text(text.replace("    size: 2\n", "    size: 200000\n"), encoding="utf-8")
    result = runner.invoke(app, ["import", "k8s", str(path)])
    assert result.exit_code == 2, result.output
    assert (
        "error[k8s-value] (document): LeaderWorkerSet/inference/llama-405b: "
        "serving.gpus_per_replica comes to 1,600,000 (leader 8 + 199,999 workers x 8), more "
        "than the spec allows (1,000,000)"
    ) in result.stderr


def test_hostile_text_in_manifests_is_written_inert(repo_root: Path, tmp_path: Path) -> None:
    text = (REPO / CHAT).read_text(encoding="utf-8")
    text = text.replace("ghcr.io/example/chat-frontend:2.4.1", '"ghcr.io/x\\e[2J:1\\u202e"')
    path = tmp_path / "hostile\nname.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["import", "k8s", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    draft = out.read_text(encoding="utf-8")
    assert "\x1b" not in draft and "\u202e" not in draft
    assert 'reference: "ghcr.io/x\\u001b[2J:1\\u202e"' in draft
    assert "hostile\\nname.yaml" in draft
    assert "# name.yaml" not in draft  # a line break in a file name does not split a comment
    reloaded = yaml.safe_load(draft)
    front = _component(reloaded, "chat-frontend")
    assert front["image"]["reference"] == "ghcr.io/x\x1b[2J:1\u202e"
    assert "\x1b" not in result.stderr


def test_name_option(repo_root: Path, tmp_path: Path) -> None:
    named = runner.invoke(app, ["import", "k8s", RAY, "--name", "llm-serving"])
    assert named.exit_code == 0, named.output
    assert yaml.safe_load(named.stdout)["metadata"]["name"] == "llm-serving"
    bad = runner.invoke(app, ["import", "k8s", RAY, "--name", "Not A Name"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("cellguard: error: invalid stack name 'Not A Name'")
