"""Structure-aware mutation of YAML and JSON documents, and byte-level damage to any file.

A tree mutation parses the seed, picks a node (a mapping value, a list item, or a key), changes it
-- replaces it with a hostile value, drops it, adds an unknown or duplicate key, duplicates a list
item, swaps two nodes -- and serialises the result. Hostile values are raw text (``!!int ""``,
``.nan``, a 5,000-digit integer, ``[[[...]]]`` 100,000 deep), which no serialiser would produce:
the node is set to a sentinel string, the tree is dumped, and the sentinel is replaced by the raw
text. Byte mutations (truncation, flipped bits, other encodings, a BOM, oversize files, empty
documents) are applied to the serialised text.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.fuzz.hostile import HOSTILE_TEXTS, Hostile

Path_ = tuple[str | int, ...]

SENTINEL = "FUZZSENTINELVALUE"
SENTINEL_KEY = "FUZZSENTINELKEY"

INTERESTING_KEYS = frozenset(
    {
        "replicas",
        "min_healthy_replicas",
        "expires",
        "peak_rps",
        "revenue_per_hour",
        "penalty_per_incident",
        "availability",
        "timeout_ms",
        "retries",
        "zones",
        "regions",
        "id",
        "to",
        "entrypoint",
        "output_tokens",
        "input_tokens",
        "fallback",
        "rule",
        "target",
        "reason",
        "owner",
        "name",
        "schema_version",
        "fingerprint",
        "status",
        "severity",
        "findings",
        "decision",
        "sequence",
        "spec_sha256",
        "findings_sha256",
        "waivers",
        "messages",
        "require",
        "when",
        "applies_to",
        "pillar",
    }
)
"""Keys a mutation picks more often: numbers, dates, references and the fields tampering targets."""


@dataclass(frozen=True)
class Mutation:
    """What was done to a seed: the operation, where, and the value spliced in."""

    op: str
    where: str = ""
    value: Hostile | None = None

    def describe(self) -> str:
        """One line for the findings log."""
        parts = [self.op]
        if self.where:
            parts.append(f"at {self.where}")
        if self.value is not None:
            parts.append(f"= {self.value.describe()}")
        return " ".join(parts)


def render_path(path: Path_) -> str:
    """``("components", 2, "id")`` as ``components[2].id``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def walk(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every path below ``node`` (not the root itself), depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str):
                yield (*path, key)
                yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from walk(value, (*path, index))


def get(node: Any, path: Path_) -> Any:
    """The node at ``path``."""
    for part in path:
        node = node[part]
    return node


def _set(node: Any, path: Path_, value: Any) -> None:
    get(node, path[:-1])[path[-1]] = value


def _with_key_after(mapping: dict[Any, Any], after: Any, key: str, value: Any) -> None:
    """Insert ``key`` right after ``after`` in ``mapping`` (keeping the order of the rest)."""
    items = list(mapping.items())
    mapping.clear()
    for k, v in items:
        mapping[k] = v
        if k == after:
            mapping[key] = value
    if key not in mapping:
        mapping[key] = value


@dataclass(frozen=True)
class TreeFormat:
    """How to dump a tree and write a key or string in a document format."""

    name: str
    dump: Callable[[Any], str]
    quote_key: Callable[[str], str]


def _dump_yaml(data: Any) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10**9,
        default_flow_style=False,
    )
    return text


def _dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


YAML_FORMAT = TreeFormat("yaml", _dump_yaml, json.dumps)
JSON_FORMAT = TreeFormat("json", _dump_json, json.dumps)


def _splice(fmt: TreeFormat, text: str, value: str | None, key: str | None) -> str:
    quote = '"' if fmt.name == "json" else ""
    if value is not None:
        text = text.replace(f"{quote}{SENTINEL}{quote}", value, 1)
    if key is not None:
        text = text.replace(f"{quote}{SENTINEL_KEY}{quote}", key, 1)
    return text


TREE_OPS = (
    ("nudge", 8),
    ("replace", 10),
    ("drop", 2),
    ("add-key", 2),
    ("duplicate-key", 1),
    ("duplicate-item", 2),
    ("empty-container", 1),
    ("swap", 1),
)


@st.composite
def tree_mutation(
    draw: st.DrawFn,
    data: Any,
    fmt: TreeFormat,
    values: Callable[[], st.SearchStrategy[Hostile]],
    keys: Callable[[], st.SearchStrategy[Hostile]],
) -> tuple[str, Mutation]:
    """Mutate one node of ``data`` (a parsed seed) and serialise it with ``fmt``."""
    paths = list(walk(data))
    interesting = [p for p in paths if isinstance(p[-1], str) and p[-1] in INTERESTING_KEYS]
    pool = interesting if interesting and draw(st.integers(0, 2)) == 0 else paths
    path = pool[draw(st.integers(0, len(pool) - 1))]
    op = draw(st.sampled_from([name for name, weight in TREE_OPS for _ in range(weight)]))
    tree = copy.deepcopy(data)
    parent = get(tree, path[:-1])
    where = render_path(path)
    if op == "drop":
        del parent[path[-1]]
        return fmt.dump(tree), Mutation(op, where)
    if op == "add-key":
        target = get(tree, path)
        holder = target if isinstance(target, dict) else parent
        if not isinstance(holder, dict):
            holder = tree if isinstance(tree, dict) else None
        key = draw(keys())
        value = draw(values())
        if holder is None:
            return fmt.dump(tree), Mutation("no-op", where)
        holder[SENTINEL_KEY] = SENTINEL
        text = _splice(fmt, fmt.dump(tree), value.text, key.text)
        return text, Mutation(op, where, Hostile(f"key {key.kind}", f"{key.text}: {value.text}"))
    if op == "duplicate-key" and isinstance(parent, dict):
        value = draw(values())
        _with_key_after(parent, path[-1], SENTINEL_KEY, SENTINEL)
        text = _splice(fmt, fmt.dump(tree), value.text, fmt.quote_key(str(path[-1])))
        return text, Mutation(op, where, value)
    if op == "duplicate-item" and isinstance(parent, list):
        parent.insert(int(path[-1]), copy.deepcopy(parent[int(path[-1])]))
        return fmt.dump(tree), Mutation(op, where)
    if op == "empty-container" and isinstance(get(tree, path), dict | list):
        _set(tree, path, type(get(tree, path))())
        return fmt.dump(tree), Mutation(op, where)
    if op == "swap":
        other = paths[draw(st.integers(0, len(paths) - 1))]
        if other[: len(path)] != path and path[: len(other)] != other:
            mine, theirs = copy.deepcopy(get(tree, path)), copy.deepcopy(get(tree, other))
            _set(tree, path, theirs)
            _set(tree, other, mine)
            return fmt.dump(tree), Mutation(op, f"{where} <-> {render_path(other)}")
    if op == "nudge":
        nudged = draw(plausible(get(tree, path), _strings(data)))
        if nudged is not None:
            _set(tree, path, SENTINEL)
            return _splice(fmt, fmt.dump(tree), nudged.text, None), Mutation(op, where, nudged)
    value = draw(values())
    _set(tree, path, SENTINEL)
    return _splice(fmt, fmt.dump(tree), value.text, None), Mutation("replace", where, value)


def _strings(data: Any) -> list[str]:
    """The short string values of a document (ids, names, references) for nudges to reuse."""
    values = (get(data, p) for p in walk(data))
    return sorted({v for v in values if isinstance(v, str) and len(v) < 64})


@st.composite
def plausible(draw: st.DrawFn, node: Any, strings: list[str]) -> Hostile | None:
    """A value of the node's own type that may well be accepted: another number (zero, one,
    ten times more, a bound), the other boolean, another string of the document (an id where a
    different one was), or the string with hostile text around it. ``None`` for a container.
    JSON text, which YAML reads too."""
    if isinstance(node, bool):
        return Hostile("nudge-bool", json.dumps(not node))
    if isinstance(node, int):
        integers = [0, 1, 2, 3, node + 1, max(node - 1, 0), node * 10, 64, 1000, 1_000_000]
        return Hostile("nudge-number", str(draw(st.sampled_from(integers))))
    if isinstance(node, float):
        floats = [0.0, 0.5, 1.0, node * 10, node / 10, 99.999, 100.0, 1e-6, 1e9]
        return Hostile("nudge-number", repr(draw(st.sampled_from(floats))))
    if isinstance(node, str):
        how = draw(st.sampled_from(["other", "other", "suffix", "hostile"]))
        if how == "other" and strings:
            return Hostile("nudge-reference", json.dumps(draw(st.sampled_from(strings))))
        if how == "hostile":
            text = draw(st.sampled_from([t for _, t in HOSTILE_TEXTS]))
            return Hostile("nudge-text", json.dumps(node + " " + text, ensure_ascii=False))
        return Hostile("nudge-text", json.dumps(node + "-2"))
    return None


def _pad(text: bytes, size: int, comment: bytes) -> bytes:
    return text + comment * ((size - len(text)) // len(comment) + 1)


BYTE_OPS = (
    "truncate",
    "flip-bit",
    "insert-byte",
    "delete-range",
    "utf-16",
    "utf-32",
    "latin-1",
    "bom",
    "crlf",
    "empty",
    "blank",
    "oversize",
)


@st.composite
def byte_mutation(
    draw: st.DrawFn, text: str, comment: bytes, oversize: int
) -> tuple[bytes, Mutation]:
    """Damage the serialised ``text``: bits, bytes, encodings, size. ``comment`` pads a file past
    ``oversize`` bytes without changing what it says."""
    raw = text.encode("utf-8")
    op = draw(st.sampled_from(BYTE_OPS))
    at = draw(st.integers(0, max(len(raw) - 1, 0)))
    if op == "truncate":
        return raw[:at], Mutation(op, f"byte {at}")
    if op == "flip-bit":
        bit = draw(st.integers(0, 7))
        flipped = bytes([raw[at] ^ (1 << bit)]) if raw else b""
        return raw[:at] + flipped + raw[at + 1 :], Mutation(op, f"byte {at} bit {bit}")
    if op == "insert-byte":
        byte = draw(st.sampled_from([b"\x00", b"\xff", b"\x1b", b"\x80", b"\xc3", b"\t", b"\r"]))
        return raw[:at] + byte + raw[at:], Mutation(op, f"byte {at}", Hostile("byte", repr(byte)))
    if op == "delete-range":
        length = draw(st.integers(1, 64))
        return raw[:at] + raw[at + length :], Mutation(op, f"bytes {at}..{at + length}")
    if op in ("utf-16", "utf-32"):
        return text.encode(op), Mutation(op)
    if op == "latin-1":
        return (text + "\n# café\n").encode("latin-1", "replace"), Mutation(op)
    if op == "bom":
        return b"\xef\xbb\xbf" + raw, Mutation(op)
    if op == "crlf":
        return raw.replace(b"\n", b"\r\n"), Mutation(op)
    if op == "empty":
        return b"", Mutation(op)
    if op == "blank":
        return draw(st.sampled_from([b"\n\n", b"   ", b"---\n---\n", b"null\n", b"~\n"])), Mutation(
            op
        )
    return _pad(raw, oversize, comment), Mutation(op, f"{oversize + 1:,} bytes")
