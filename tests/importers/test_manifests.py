"""Reading manifests: multi-document files with exact lines, lists, bounds and hostile input."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from cellguard.importers import inputs, manifests
from cellguard.importers.engines import parse_server, tokens
from cellguard.importers.inputs import Input, read_inputs
from cellguard.importers.k8s import read_k8s
from cellguard.importers.manifests import Problems, manifests_of, read_documents
from cellguard.models.loader import Diagnostic, SpecLoadError

MULTI = """\
# Source: chart/templates/cm.yaml
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
data: {A: "1"}
---
# an empty document (helm prints these)
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: two
spec:
  replicas: 4
  template:
    spec:
      containers:
        - {name: c, image: "nginx:1"}
...
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: three}
"""


def _manifests(text: str, name: str = "m.yaml") -> tuple[list[manifests.Manifest], Problems]:
    problems = Problems()
    given = [Input(name, text)]
    found = [
        m
        for item, data, source in read_documents(given, problems)
        for m in manifests_of(item, data, source, problems)
    ]
    return found, problems


def test_documents_keep_the_lines_of_the_file() -> None:
    found, problems = _manifests(MULTI)
    assert not problems.items
    assert [(m.kind, m.name) for m in found] == [
        ("ConfigMap", "one"),
        ("Deployment", "two"),
        ("Service", "three"),
    ]
    deployment = found[1]
    assert deployment.origin("spec", "replicas").line == 16
    assert deployment.origin("spec", "template", "spec", "containers", 0, "image").line == 20
    service = found[2]
    assert service.origin("metadata", "name").line == 28
    assert service.key == "Service/default/three"


def test_a_syntax_error_in_a_later_document_names_its_line() -> None:
    text = MULTI + "---\napiVersion: v1\nkind: Service\nmetadata: {name: [x\n"
    _, problems = _manifests(text)
    (problem,) = problems.items
    assert (problem.file, problem.line, problem.code) == ("m.yaml", 33, "yaml-syntax")


def test_hostile_yaml_is_refused_with_a_line() -> None:
    deep = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: " + "[" * 100 + "]" * 100
    _, problems = _manifests("---\n" * 3 + deep)
    assert problems.items[0].code == "yaml-depth"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    _, problems = _manifests("---\n" + bomb)
    assert problems.items[0].code == "yaml-alias-bomb"
    assert problems.items[0].line == 2
    _, problems = _manifests("apiVersion: v1\nkind: !!python/object:os.system x\n")
    assert problems.items[0].code == "yaml-tag"


def test_objects_without_apiversion_kind_or_name_are_errors() -> None:
    _, problems = _manifests(
        "---\n- a\n---\nkind: Deployment\n---\napiVersion: v1\nkind: Service\n"
    )
    assert [(p.line, p.message) for p in problems.items] == [
        (2, "the document is a list, not a Kubernetes object"),
        (4, "not a Kubernetes object: apiVersion is missing or not a string"),
        (7, "Service without metadata.name"),
    ]


def test_size_and_count_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 2048)
    monkeypatch.setattr(inputs, "MAX_INPUT_BYTES", 1024)
    found: list[Diagnostic] = []
    read_inputs([str(big)], found)
    assert found[0].code == "file-too-large"
    found = []
    read_inputs(["-"], found, io.BytesIO(b"#" * 2048))
    assert found[0].code == "file-too-large"
    monkeypatch.setattr(manifests, "MAX_DOCUMENTS", 3)
    _, problems = _manifests("a: 1\n---\na: 2\n---\na: 3\n---\na: 4\n")
    assert problems.items[-1].code == "input-too-large"
    assert problems.items[-1].line == 6  # the fourth document's marker


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SpecLoadError) as caught:
        read_k8s([str(fifo)])
    assert "not a regular file" in str(caught.value)


def test_thousands_of_documents_read_quickly(tmp_path: Path) -> None:
    doc = (
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}, namespace: ns}}\n"
        "spec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n"
        "        - {{name: c, image: 'nginx:1', env: [{{name: U, value: 'http://app-{j}:80'}}]}}\n"
    )
    text = "".join(doc.format(i=i, j=(i + 1) % 2000) for i in range(2000))
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.monotonic()
    imported = read_k8s([str(path)])
    assert len(imported.ctx.workloads) == 2000
    assert time.monotonic() - start < 20


@pytest.mark.parametrize(
    ("items", "model", "tp", "seqs"),
    [
        (
            ["vllm", "serve", "Qwen/Qwen2.5-7B", "--tensor-parallel-size", "2"],
            "Qwen/Qwen2.5-7B",
            2,
            None,
        ),
        (
            ["python3", "-m", "vllm.entrypoints.openai.api_server", "--model=m/x", "-tp=4"],
            "m/x",
            4,
            None,
        ),
        (
            ["sh", "-c", "vllm serve org/model --max-num-seqs 256 --port 8000"],
            "org/model",
            None,
            256,
        ),
        (
            ["text-generation-launcher", "--model-id", "bigcode/x", "--num-shard", "2"],
            "bigcode/x",
            2,
            None,
        ),
        (
            ["python", "-m", "sglang.launch_server", "--model-path", "a/b", "--tp", "8"],
            "a/b",
            8,
            None,
        ),
    ],
)
def test_model_server_arguments(
    items: list[str], model: str, tp: int | None, seqs: int | None
) -> None:
    found = parse_server([(text, i) for i, text in enumerate(items)])
    assert found.model is not None and found.model[0] == model
    assert (found.tensor_parallel[0] if found.tensor_parallel else None) == tp
    assert (found.max_seqs[0] if found.max_seqs else None) == seqs
    assert found.engine in ("vllm", "tgi", "sglang")


def test_an_unbalanced_shell_string_is_split_on_spaces() -> None:
    assert tokens([("vllm serve 'broken --x 1", 0)]) == [
        ("vllm", 0),
        ("serve", 0),
        ("'broken", 0),
        ("--x", 0),
        ("1", 0),
    ]
