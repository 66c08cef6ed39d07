"""Shapes seen in real public manifests the first importer did not read (issue 20 probe).

Each case is reduced from a public manifest (cited in the fixture or beside the inline text):
AWS Neuron servers, EKS Auto Mode node labels, Kubeflow Trainer v2 TrainJobs, GPU totals of
Kubeflow jobs, an operator kind cellguard does not read, and node constraints naming hardware
outside cellguard's catalogs.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app

runner = CliRunner()
COVERAGE = Path("tests/importers/fixtures/coverage")
NEURON = str(COVERAGE / "neuron-workloads.yaml")
EKS_AUTO = str(COVERAGE / "eks-auto-mode-workloads.yaml")


def _draft(tmp_path: Path, *paths: str) -> tuple[str, dict[str, dict[str, object]]]:
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["import", "k8s", *paths, "-o", str(out)])
    assert result.exit_code == 0, result.output
    validated = runner.invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output
    text = out.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return text, {c["id"]: c for c in data["components"]}


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "manifests.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_neuron_servers_are_model_endpoints_whose_accelerators_are_noted_not_counted_as_gpus(
    repo_root: Path, tmp_path: Path
) -> None:
    text, components = _draft(tmp_path, NEURON)
    inf2 = components["qwen3-8b-neuron"]
    assert inf2["kind"] == "model_endpoint"
    assert inf2["model"] == {"name": "Qwen/Qwen3-8B", "context_tokens": 8192}
    assert inf2["serving"] == {"engine": "vllm", "max_concurrency": 4}
    assert inf2["replicas"] == 2
    assert inf2["labels"]["k8s/accelerators"] == "2 aws.amazon.com/neuroncore"  # type: ignore[index]
    # inf2.xlarge is not in the instance catalog: left out with a placeholder, not a crash
    assert (
        "# TODO(cellguard import): serving.instance_types: inf2.xlarge (from "
        f"{NEURON}:23) not in cellguard's instance catalog; left out" in text
    )
    trn1 = components["llama3-trn1"]
    assert trn1["kind"] == "model_endpoint"
    assert trn1["model"] == {"name": "meta-llama/Meta-Llama-3-8B-Instruct"}
    # no gpus_per_replica from Neuron devices, nor from TENSOR_PARALLELISM (NeuronCores there)
    assert trn1["serving"] == {"engine": "vllm"}
    assert trn1["labels"]["k8s/accelerators"] == "16 aws.amazon.com/neuron"  # type: ignore[index]
    # the Serve config sets no replicas (the app's code may): a placeholder says so
    assert "replicas" not in trn1
    block = text[text.index("# RayService/llm/llama3-trn1 at") :]
    assert "# TODO(cellguard import): replicas: the manifests do not say how many serve it" in block


def test_a_pod_asking_for_neuron_devices_without_a_known_server_is_a_model_endpoint(
    tmp_path: Path,
) -> None:
    # a custom image (optimum-neuron's server) names no engine cellguard knows
    path = _write(
        tmp_path,
        """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: mistral-inf2, namespace: llm}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: server
          image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/neuron-server:1.0
          resources: {limits: {aws.amazon.com/neuron: 1}}
""",
    )
    _, components = _draft(tmp_path, path)
    endpoint = components["mistral-inf2"]
    assert endpoint["kind"] == "model_endpoint"
    assert endpoint["replicas"] == 3
    assert endpoint["labels"]["k8s/accelerators"] == "1 aws.amazon.com/neuron"  # type: ignore[index]
    assert "serving" not in endpoint


def test_eks_auto_mode_labels_give_the_gpu_and_operator_kinds_keep_runtime_eks(
    repo_root: Path, tmp_path: Path
) -> None:
    _, components = _draft(tmp_path, EKS_AUTO)
    ray = components["qwen3-ray"]
    assert ray["runtime"] == "eks"
    assert ray["serving"] == {"engine": "vllm", "gpu": "L40S", "gpus_per_replica": 1}
    assert ray["replicas"] == 2
    assert ray["autoscaling"] == {"min": 2, "max": 6}


def test_a_train_job_has_its_nodes_gpus_per_node_and_the_overrides_gpu(
    repo_root: Path, tmp_path: Path
) -> None:
    text, components = _draft(tmp_path, EKS_AUTO)
    job = components["lora-sft"]
    assert job["kind"] == "training_job"
    assert job["platform"] == "eks"
    assert job["gpu"] == "L4"
    assert job["replicas"] == 2
    assert job["gpus"] == 8
    assert f"gpus: 8 # from {EKS_AUTO}:68 (numNodes 2 x 4 per node (resourcesPerNode))" in (
        " ".join(text.split())
    )


def test_a_pytorch_job_counts_the_gpus_of_all_its_pods(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: finetune, namespace: train}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
            - {name: pytorch, image: "pytorch/pytorch:2.4.0-cuda12.4",
               resources: {limits: {nvidia.com/gpu: 8}}}
    Worker:
      replicas: 3
      template:
        spec:
          containers:
            - {name: pytorch, image: "pytorch/pytorch:2.4.0-cuda12.4",
               resources: {limits: {nvidia.com/gpu: 8}}}
""",
    )
    _, components = _draft(tmp_path, path)
    job = components["finetune"]
    assert job["replicas"] == 4
    assert job["gpus"] == 32


def test_an_operator_kind_cellguard_does_not_read_is_named_when_nothing_else_is_found(
    tmp_path: Path,
) -> None:
    # Gateway API Inference Extension's InferencePool (kubernetes-sigs/gateway-api-inference-
    # extension, Apache-2.0), simplified: a kind cellguard has no reader for
    path = _write(
        tmp_path,
        """\
apiVersion: inference.networking.x-k8s.io/v1alpha2
kind: InferencePool
metadata: {name: llm-pool}
spec:
  selector: {app: vllm}
""",
    )
    result = runner.invoke(app, ["import", "k8s", path])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert (
        "no workloads found in the manifests; kinds not understood: "
        f"InferencePool/default/llm-pool (inference.networking.x-k8s.io/v1alpha2) at {path}:2"
    ) in " ".join(result.output.split())


def test_node_constraints_naming_hardware_outside_the_catalog_leave_it_out(
    tmp_path: Path,
) -> None:
    # a CPU text-embeddings-inference server pinned to an instance type with no GPU, the shape
    # of aws-samples/sample-genai-on-eks-starter-kit components/embedding-model/tei/ (MIT-0)
    path = _write(
        tmp_path,
        """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: embed-cpu, namespace: rag}
spec:
  replicas: 2
  template:
    spec:
      nodeSelector:
        node.kubernetes.io/instance-type: r7i.xlarge
        nvidia.com/gpu.product: Radeon-Pro-V520
      containers:
        - name: tei
          image: ghcr.io/huggingface/text-embeddings-inference:cpu-1.8.2
          args: [--model-id=Qwen/Qwen3-Embedding-0.6B]
""",
    )
    text, components = _draft(tmp_path, path)
    embed = components["embed-cpu"]
    assert embed["kind"] == "embedding_model"
    assert embed["model"] == {"name": "Qwen/Qwen3-Embedding-0.6B"}
    assert embed["serving"] == {"engine": "other"}
    assert "serving.instance_types: r7i.xlarge" in text
    assert "serving.gpu: RADEON-PRO-V520" in text


def test_a_nim_service_on_karpenter_nodes_keeps_runtime_eks(tmp_path: Path) -> None:
    # awslabs/ai-on-eks blueprints/inference/gpu/nvidia-nim-operator-llama3-8b/
    # nim-service-llama3-8b-instruct.yaml (Apache-2.0), reduced
    path = _write(
        tmp_path,
        """\
apiVersion: apps.nvidia.com/v1alpha1
kind: NIMService
metadata: {name: llama3-8b, namespace: nim}
spec:
  image: {repository: nvcr.io/nim/meta/llama-3.1-8b-instruct, tag: "1.3.3"}
  replicas: 2
  nodeSelector: {karpenter.k8s.aws/instance-family: g5}
  resources: {limits: {nvidia.com/gpu: 2}}
""",
    )
    _, components = _draft(tmp_path, path)
    nim = components["llama3-8b"]
    assert nim["runtime"] == "eks"
    assert nim["serving"] == {"engine": "nim", "gpu": "A10G", "gpus_per_replica": 2}
    assert nim["replicas"] == 2


LMI_KB_DOMAIN = str(COVERAGE / "lmi-kb-domain-resources.yaml")


def _cfn_draft(tmp_path: Path, path: str) -> tuple[str, dict[str, dict[str, object]]]:
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["import", "cloudformation", path, "-o", str(out)])
    assert result.exit_code == 0, result.output
    validated = runner.invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output
    text = out.read_text(encoding="utf-8")
    return text, {c["id"]: c for c in yaml.safe_load(text)["components"]}


def test_an_lmi_image_whose_registry_waits_for_the_region_still_names_the_engine(
    repo_root: Path, tmp_path: Path
) -> None:
    text, components = _cfn_draft(tmp_path, LMI_KB_DOMAIN)
    endpoint = components["endpoint"]
    assert endpoint["serving"] == {
        "engine": "lmi",
        "gpu": "A10G",
        "instance_types": ["ml.g5.2xlarge"],
    }
    assert endpoint["model"] == {"name": "mistralai/Mistral-7B-Instruct-v0.3"}
    assert endpoint["replicas"] == 2
    # the image itself is not a value: it stays a placeholder
    assert "cfn/image" not in endpoint["labels"]  # type: ignore[operator]
    assert "labels.cfn/image: ${AWS::Region} is only known when the stack is deployed" in text


def test_a_knowledge_base_names_its_embedding_model_from_an_arn_built_with_fn_sub(
    repo_root: Path, tmp_path: Path
) -> None:
    _, components = _cfn_draft(tmp_path, LMI_KB_DOMAIN)
    labels = components["knowledgebase"]["labels"]
    assert labels["cfn/embedding-model"] == "amazon.titan-embed-text-v2:0"  # type: ignore[index]


def test_an_opensearch_domain_without_count_or_zone_awareness_is_one_node_in_one_zone(
    repo_root: Path, tmp_path: Path
) -> None:
    text, components = _cfn_draft(tmp_path, LMI_KB_DOMAIN)
    domain = components["searchdomain"]
    assert domain["replicas"] == 1
    assert domain["multi_az"] is False
    assert domain["placement"] == {"zones": 1}
    assert "(InstanceCount unset: the service's default, one data node)" in text


_KSERVE_HF = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {{name: {name}, namespace: kserve}}
spec:
  predictor:
    model:
      modelFormat: {{name: huggingface}}
      args: [--model_name={name}, --model_id={model}{extra}]
      resources: {{limits: {{nvidia.com/gpu: "1"}}}}
"""


def test_kserve_hugging_face_runtime_engines_follow_its_backend_and_task(tmp_path: Path) -> None:
    # the shape of kserve/website docs/modelserving/v1beta1/llm/huggingface/README.md (Apache-2.0)
    text = "---\n".join(
        (
            _KSERVE_HF.format(name="llama3", model="meta-llama/meta-llama-3-8b-instruct", extra=""),
            _KSERVE_HF.format(
                name="t5", model="google-t5/t5-small", extra=", --backend=huggingface"
            ),
            _KSERVE_HF.format(
                name="bge", model="BAAI/bge-small-en-v1.5", extra=", --task=text_embedding"
            ),
        )
    )
    draft, components = _draft(tmp_path, _write(tmp_path, text))
    assert components["llama3"]["serving"] == {"engine": "vllm", "gpus_per_replica": 1}
    assert "(KServe's Hugging Face runtime serves text generation with vLLM by default)" in draft
    assert components["t5"]["serving"] == {"engine": "other", "gpus_per_replica": 1}
    bge = components["bge"]
    assert bge["kind"] == "embedding_model"
    assert bge["serving"] == {"engine": "other", "gpus_per_replica": 1}
    assert bge["model"] == {"name": "BAAI/bge-small-en-v1.5"}


def test_a_dynamo_graph_is_a_frontend_gateway_calling_its_model_workers(
    repo_root: Path, tmp_path: Path
) -> None:
    dynamo = str(COVERAGE / "dynamo-workloads.yaml")
    text, components = _draft(tmp_path, dynamo)
    front = components["llama-disagg-frontend"]
    assert front["kind"] == "gateway"
    assert front["replicas"] == 2
    assert [d["to"] for d in front["depends_on"]] == [  # type: ignore[attr-defined]
        "llama-disagg-vllmdecodeworker",
        "llama-disagg-vllmprefillworker",
    ]
    assert "kind: gateway # Dynamo componentType frontend" in " ".join(text.split())
    assert components["llama-disagg-planner"]["kind"] == "app"
    decode = components["llama-disagg-vllmdecodeworker"]
    assert decode["kind"] == "model_endpoint"
    assert decode["model"] == {"name": "meta-llama/Llama-3.3-70B-Instruct"}
    assert decode["serving"] == {"engine": "vllm", "gpu": "H100", "gpus_per_replica": 2}
    assert decode["replicas"] == 2
    assert decode["runtime"] == "eks"
    prefill = components["llama-disagg-vllmprefillworker"]
    # Dynamo's own resource name `gpu`, and two pods per replica
    assert prefill["serving"] == {"engine": "vllm", "gpus_per_replica": 8}
    assert prefill["replicas"] == 1


def test_a_sagemaker_endpoint_on_inferentia_leaves_the_uncatalogued_instance_type_out(
    tmp_path: Path,
) -> None:
    # LMI's Neuron container on ml.inf2 (the shape of AWS's LMI Neuron samples), reduced
    path = tmp_path / "inf2.yaml"
    path.write_text(
        """\
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker
      PrimaryContainer:
        Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-neuronx-sdk2.19.1
        Environment: {HF_MODEL_ID: meta-llama/Meta-Llama-3-8B}
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - {VariantName: AllTraffic, ModelName: !GetAtt Model.ModelName,
           InstanceType: ml.inf2.xlarge, InitialInstanceCount: 2}
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
""",
        encoding="utf-8",
    )
    text, components = _cfn_draft(tmp_path, str(path))
    endpoint = components["endpoint"]
    assert endpoint["serving"] == {"engine": "lmi"}
    assert endpoint["replicas"] == 2
    assert "serving.instance_types: ml.inf2.xlarge (from " in text


def test_sagemaker_hyperpod_deployments_are_self_hosted_endpoints_on_eks(
    repo_root: Path, tmp_path: Path
) -> None:
    _, components = _draft(tmp_path, str(COVERAGE / "hyperpod-workloads.yaml"))
    lmi = components["qwen-lmi"]
    assert lmi["kind"] == "model_endpoint"
    assert (lmi["runtime"], lmi["hosting"]) == ("eks", "self_hosted")
    assert lmi["model"] == {"name": "Qwen/Qwen2.5-32B-Instruct"}
    assert lmi["serving"] == {
        "engine": "lmi",
        "gpu": "A10G",
        "gpus_per_replica": 4,
        "instance_types": ["ml.g5.12xlarge"],
    }
    assert lmi["replicas"] == 2
    jumpstart = components["deepseek-js"]
    assert jumpstart["model"] == {
        "name": "deepseek-llm-r1-distill-qwen-1-5b",
        "pinned_version": "2.0.4",
    }
    assert jumpstart["serving"] == {"gpu": "A10G", "instance_types": ["ml.g5.8xlarge"]}
    # scale to zero: 1 counted while there is work, the range kept
    assert jumpstart["replicas"] == 1
    assert jumpstart["autoscaling"] == {"min": 0, "max": 5}
