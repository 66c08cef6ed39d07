"""End-to-end tests of ``cellguard import cloudformation`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
FIXTURES = Path("tests/importers/fixtures/cloudformation")
GOOD = sorted(p.name for p in (REPO / FIXTURES).glob("*.yaml"))
SAGEMAKER = str(FIXTURES / "sagemaker-inference-components.yaml")
UNRESOLVED = str(FIXTURES / "unresolved-parameter.yaml")


def _import(tmp_path: Path, *args: str) -> dict[str, object]:
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["import", "cloudformation", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _component(data: dict[str, object], cid: str) -> dict[str, object]:
    components = data["components"]
    assert isinstance(components, list)
    found: dict[str, object] = next(c for c in components if c["id"] == cid)
    return found


@pytest.mark.parametrize("name", GOOD)
def test_each_template_imports_to_a_draft_that_validates_and_assesses(
    repo_root: Path, tmp_path: Path, name: str
) -> None:
    _import(tmp_path, str(FIXTURES / name))
    out = tmp_path / "draft.yaml"
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    assessed = runner.invoke(app, ["assess", str(out), "-f", "json", "--today", "2026-01-10"])
    assert assessed.exit_code == 0, assessed.output
    assert json.loads(assessed.stdout)["summary"]["ERROR"] == 0


def test_inference_component_gets_copies_gpus_model_engine_and_autoscaling(
    repo_root: Path, tmp_path: Path
) -> None:
    data = _import(tmp_path, SAGEMAKER)
    component = _component(data, "llamacomponent")
    assert component["hosting"] == "sagemaker"
    assert component["model"] == {"name": "meta-llama/Meta-Llama-3.1-8B-Instruct"}
    assert component["serving"] == {
        "engine": "lmi",
        "gpu": "A10G",
        "gpus_per_replica": 2,
        "instance_types": ["ml.g5.12xlarge"],
    }
    assert component["replicas"] == 1
    assert component["autoscaling"] == {"min": 1, "max": 4}
    assert component["shared_domains"] == ["endpoint"]
    lam = _component(data, "invokefunction")
    assert lam["depends_on"] == [{"to": "llamacomponent"}]
    text = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    assert f"gpus_per_replica: 2                   # from {SAGEMAKER}:59" in text
    assert f"min: 1                                # from {SAGEMAKER}:69" in text


def test_sns_topics_and_ecr_repositories_get_their_own_engines(
    repo_root: Path, tmp_path: Path
) -> None:
    # an SNS topic is engine sns (not other: the catalog has the SNS SLA for it), an ECR
    # repository an object store on engine ecr (the ECR SLA), each from its Type line
    data = _import(tmp_path, str(FIXTURES / "bedrock-rag.yaml"))
    topic = _component(data, "ingestevents")
    assert (topic["kind"], topic["engine"]) == ("queue", "sns")
    images = _component(data, "servingimages")
    assert (images["kind"], images["engine"]) == ("object_store", "ecr")
    assert images["labels"] == {"cfn/resource": "AWS::ECR::Repository/ServingImages"}
    text = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    assert f"engine: sns{' ' * 29}# from {FIXTURES / 'bedrock-rag.yaml'}:88" in text
    assessed = runner.invoke(
        app, ["assess", str(tmp_path / "draft.yaml"), "-f", "json", "--today", "2026-01-10"]
    )
    journeys = {j["journey"]: j for j in json.loads(assessed.stdout)["journeys"]}
    for journey in ("ingestevents", "servingimages"):
        # engine other had no prior (unknown); sns and ecr rest on their 99.9% SLAs
        assert journeys[journey]["components_without_prior"] == []
        assert journeys[journey]["prior_shares"]["sla"] > 0.9


def test_parameter_option_overrides_default_and_if_follows_condition(
    repo_root: Path, tmp_path: Path
) -> None:
    data = _import(
        tmp_path, SAGEMAKER, "--parameter", "Environment=dev", "-p", "InstanceType=ml.g6.12xlarge"
    )
    component = _component(data, "llamacomponent")
    serving = component["serving"]
    assert isinstance(serving, dict)
    assert serving["instance_types"] == ["ml.g6.12xlarge"]
    assert serving["gpu"] == "L4"


def test_unresolved_parameter_is_a_placeholder_naming_it(repo_root: Path, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    data = _import(tmp_path / "a", UNRESOLVED)
    endpoint = _component(data, "endpoint")
    assert endpoint["model"] == {"name": "mistralai/Mistral-7B-Instruct-v0.3"}
    assert "instance_types" not in endpoint.get("serving", {})  # type: ignore[operator]
    text = (tmp_path / "a" / "draft.yaml").read_text(encoding="utf-8")
    assert (
        "# TODO(cellguard import): serving.instance_types: parameter InstanceType has no default;"
        f" pass --parameter InstanceType=VALUE ({UNRESOLVED}:23)" in text
    )
    given = _import(
        tmp_path,
        UNRESOLVED,
        "-p",
        "InstanceType=ml.g5.2xlarge",
    )
    assert _component(given, "endpoint")["serving"] == {
        "engine": "tgi",
        "gpu": "A10G",
        "instance_types": ["ml.g5.2xlarge"],
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("invalid-yaml.yaml", "invalid-yaml.yaml:5:1: error[yaml-syntax]"),
        (
            "unknown-intrinsic.yaml",
            "unknown-intrinsic.yaml:5:19: error[cfn-tag] Resources.Bucket.Properties.BucketName: "
            "unknown CloudFormation intrinsic function tag '!Concat'",
        ),
        (
            "ref-to-nothing.yaml",
            "ref-to-nothing.yaml:8:18: error[cfn-value] Resources.Fn.Properties.Environment."
            "Variables.TABLE.Ref: reference to 'SessionTable', which the template does not declare",
        ),
        (
            "unresolved-condition.yaml",
            "unresolved-condition.yaml:9:16: error[cfn-value] Resources.Table.Condition: resource "
            "'Table' exists only if condition 'IsProd', which cannot be evaluated",
        ),
    ],
)
def test_bad_templates_exit_2_with_file_and_line(
    repo_root: Path, tmp_path: Path, name: str, expected: str
) -> None:
    out = tmp_path / "draft.yaml"
    result = runner.invoke(
        app, ["import", "cloudformation", str(FIXTURES / "invalid" / name), "-o", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_nothing_written_without_o_and_nothing_overwritten_without_force(
    repo_root: Path, tmp_path: Path
) -> None:
    printed = runner.invoke(app, ["import", "cloudformation", SAGEMAKER])
    assert printed.exit_code == 0
    assert printed.stdout.startswith("# Draft generated by `cellguard import cloudformation`")
    out = tmp_path / "mine.yaml"
    out.write_text("mine\n", encoding="utf-8")
    refused = runner.invoke(app, ["import", "cloudformation", SAGEMAKER, "-o", str(out)])
    assert refused.exit_code == 2
    assert out.read_text(encoding="utf-8") == "mine\n"
    forced = runner.invoke(app, ["import", "cloudformation", SAGEMAKER, "-o", str(out), "--force"])
    assert forced.exit_code == 0
    assert "llamacomponent" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", GOOD)
def test_drafts_speak_of_templates_not_of_kubernetes(
    repo_root: Path, tmp_path: Path, name: str
) -> None:
    _import(tmp_path, str(FIXTURES / name))
    text = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    for k8s_word in ("manifest", "cluster", "k8s/", "node pool", "by its image", "/template/"):
        assert k8s_word not in text, k8s_word
    assert "cfn/resource: AWS::" in text
    assert "not in the templates" in text


def test_identity_label_and_wording_of_a_template_component(
    repo_root: Path, tmp_path: Path
) -> None:
    data = _import(tmp_path, SAGEMAKER)
    text = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    component = _component(data, "llamacomponent")
    labels = component["labels"]
    assert isinstance(labels, dict)
    assert labels["cfn/resource"] == "AWS::SageMaker::InferenceComponent/LlamaComponent"
    assert data["metadata"] == {"name": "sagemaker-inference-components"}  # the file's name
    assert data["topology"]["shared_domains"][0]["description"] == (  # type: ignore[index]
        "SageMaker endpoint endpoint: llamacomponent"
    )
    assert f"# from {SAGEMAKER}:54 (SageMaker endpoint)" in text
    assert "# TODO(cellguard import): the cloud account the stack runs in" in text
    assert "# TODO(cellguard import): timeout_ms, retries and mode are not in the templates" in text
