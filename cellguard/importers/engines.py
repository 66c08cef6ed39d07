"""Model servers: which engine a container runs and what its arguments say about the model.

Understood: vLLM (``vllm serve MODEL``, ``python -m vllm.entrypoints.openai.api_server --model``),
Hugging Face TGI (``--model-id``, ``MODEL_ID``), SGLang (``--model-path``), Triton, TensorRT-LLM,
NVIDIA NIM, LMI, Ollama and text-embeddings-inference, by image and by command. Arguments are
read from ``command`` and ``args``, including a shell string (``sh -c "... vllm serve ..."``).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

ENGINE_IMAGES: tuple[tuple[str, str], ...] = (
    ("text-embeddings-inference", "other"),
    ("text-generation-inference", "tgi"),
    ("vllm", "vllm"),
    ("sglang", "sglang"),
    ("tritonserver", "triton"),
    ("tensorrt-llm", "tensorrt_llm"),
    ("tensorrtllm", "tensorrt_llm"),
    ("nvcr.io/nim/", "nim"),
    ("djl-inference", "lmi"),
    ("ollama", "ollama"),
)
"""Image substrings that name a serving engine, most specific first."""

EMBEDDING_IMAGES = ("text-embeddings-inference", "infinity-emb", "nv-embed", "embedqa", "embed")
"""Image substrings of embedding servers."""

_COMMANDS = (
    ("vllm.entrypoints", "vllm"),
    ("sglang.launch_server", "sglang"),
    ("text-generation-launcher", "tgi"),
    ("tritonserver", "triton"),
    ("trtllm-serve", "tensorrt_llm"),
    ("ollama", "ollama"),
)

_MODEL_FLAGS = ("--model", "--model-id", "--model-path", "--model_id")
_SERVED_FLAGS = ("--served-model-name", "--model-name", "--model_name")
_TP_FLAGS = ("--tensor-parallel-size", "-tp", "--tp-size", "--tp", "--num-shard")
_PP_FLAGS = ("--pipeline-parallel-size", "-pp", "--pipeline_parallel_size")
_SEQS_FLAGS = ("--max-num-seqs", "--max-running-requests", "--max-concurrent-requests")
_CONTEXT_FLAGS = ("--max-model-len", "--context-length", "--max-input-length")
_REVISION_FLAGS = ("--revision",)
_DTYPE_FLAGS = ("--dtype", "--quantization")
_EMBED_FLAGS = ("--task", "--runner")
_TEI_TASK = "text_embedding"
"""KServe's Hugging Face runtime task of embedding models."""

MODEL_ENV = ("MODEL_ID", "HF_MODEL_ID", "MODEL_NAME", "MODEL", "NIM_MODEL_NAME", "MODEL_PATH")
SERVED_ENV = ("SERVED_MODEL_NAME",)
TP_ENV = ("TENSOR_PARALLELISM", "TENSOR_PARALLEL_SIZE", "NUM_SHARD")
PP_ENV = ("PIPELINE_PARALLELISM", "PIPELINE_PARALLEL_SIZE")

PRECISIONS = {
    "bfloat16": "bf16",
    "bf16": "bf16",
    "float16": "fp16",
    "half": "fp16",
    "fp16": "fp16",
    "float32": "fp32",
    "fp8": "fp8",
    "awq": "int4",
    "gptq": "int4",
}


@dataclass
class ServerArgs:
    """What a model server's command line says; the index of the token each value came from."""

    engine: str | None = None
    model: tuple[str, int] | None = None
    served_name: tuple[str, int] | None = None
    tensor_parallel: tuple[int, int] | None = None
    pipeline_parallel: tuple[int, int] | None = None
    max_seqs: tuple[int, int] | None = None
    context: tuple[int, int] | None = None
    revision: tuple[str, int] | None = None
    precision: tuple[str, int] | None = None
    embedding: bool = False
    unparsed: list[str] = field(default_factory=list)


def engine_of_image(image: str) -> str | None:
    """The serving engine an image reference names, if any."""
    lowered = image.lower()
    return next((engine for part, engine in ENGINE_IMAGES if part in lowered), None)


def is_embedding_image(image: str) -> bool:
    """Whether the image is an embedding server's."""
    lowered = image.lower()
    return any(part in lowered for part in EMBEDDING_IMAGES)


def tokens(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Command and argument strings split as a shell would, each token with its item's index.

    A string holding spaces (``sh -c "vllm serve m --tp 2"``) is split with :mod:`shlex`;
    one it cannot split (an unbalanced quote) on whitespace.
    """
    out: list[tuple[str, int]] = []
    for text, index in items:
        if any(ch.isspace() for ch in text):
            try:
                parts = shlex.split(text, comments=False)
            except ValueError:
                parts = text.split()
            out.extend((p, index) for p in parts)
        else:
            out.append((text, index))
    return out


def _integer(text: str) -> int | None:
    return int(text) if re.fullmatch(r"\d{1,7}", text) else None


def _flag_value(toks: list[tuple[str, int]], i: int) -> tuple[str, int, int] | None:
    """The value of the flag at ``i`` (``--f v`` or ``--f=v``), its index and the next i."""
    text, index = toks[i]
    if "=" in text and text.startswith("-"):
        return text.split("=", 1)[1], index, i + 1
    if i + 1 < len(toks) and not toks[i + 1][0].startswith("--"):
        return toks[i + 1][0], toks[i + 1][1], i + 2
    return None


def _flag(text: str) -> str:
    return text.split("=", 1)[0] if text.startswith("-") else text


def parse_server(items: list[tuple[str, int]]) -> ServerArgs:
    """Read ``command`` + ``args`` (each with the index of the list item it came from)."""
    toks = tokens(items)
    found = ServerArgs()
    joined = " ".join(t for t, _ in toks)
    found.engine = next((e for part, e in _COMMANDS if part in joined), None)
    i = 0
    while i < len(toks):
        text, _ = toks[i]
        if text == "serve" and i > 0 and toks[i - 1][0].endswith("vllm"):
            found.engine = "vllm"
            if i + 1 < len(toks) and not toks[i + 1][0].startswith("-"):
                found.model = (toks[i + 1][0], toks[i + 1][1])
                i += 2
                continue
        flag = _flag(text)
        value = _flag_value(toks, i) if flag.startswith("-") else None
        if value is None:
            i += 1
            continue
        raw, where, i = value
        number = _integer(raw)
        if flag in _MODEL_FLAGS and found.model is None:
            found.model = (raw, where)
        elif flag in _SERVED_FLAGS:
            found.served_name = (raw, where)
        elif flag in _TP_FLAGS and number:
            found.tensor_parallel = (number, where)
        elif flag in _PP_FLAGS and number:
            found.pipeline_parallel = (number, where)
        elif flag in _SEQS_FLAGS and number:
            found.max_seqs = (number, where)
        elif flag in _CONTEXT_FLAGS and number:
            found.context = (number, where)
        elif flag in _REVISION_FLAGS:
            found.revision = (raw, where)
        elif flag in _DTYPE_FLAGS and raw.lower() in PRECISIONS:
            found.precision = (PRECISIONS[raw.lower()], where)
        elif flag in _EMBED_FLAGS and raw.lower() in ("embed", "embedding", "pooling", _TEI_TASK):
            found.embedding = True
    return found
