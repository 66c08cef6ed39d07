"""A HyperPod autoScalingSpec whose minimum is over its maximum is a located error (issue 20
probe, review: the range was dropped and the draft said the manifests name no replica count)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cellguard.cli.main import app

MANIFEST = """\
apiVersion: inference.sagemaker.aws.amazon.com/v1
kind: JumpStartModel
metadata: {name: qwen-js, namespace: inference}
spec:
  model: {modelId: huggingface-llm-qwen2-5-7b-instruct}
  server: {instanceType: ml.g5.8xlarge}
  autoScalingSpec: {minReplicaCount: 9, maxReplicaCount: 2}
"""


def test_an_inverted_replica_range_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "hyperpod.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "k8s", str(path), "-o", str(tmp_path / "d.yaml")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert (
        f"{path}:7:58: error[k8s-value] spec.autoScalingSpec.maxReplicaCount: JumpStartModel "
        "'qwen-js': expected a whole number from 9 to 1,000,000, got 2"
    ) in result.output
