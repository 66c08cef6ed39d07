"""Reading CloudFormation templates: YAML with the short-form intrinsic tags, or JSON.

A template goes through the spec loader's line-aware reader (safe constructors only, duplicate
keys refused, alias expansion and nesting bounded, the position of every key and value kept),
with one addition: the short-form intrinsic function tags (``!Ref``, ``!Sub``, ``!GetAtt``, ...)
are read as the long form they stand for -- ``!Ref X`` is ``{"Ref": "X"}``, ``!GetAtt A.B`` is
``{"Fn::GetAtt": ["A", "B"]}``, ``!Sub ...`` is ``{"Fn::Sub": ...}`` -- as plain data: nothing is
constructed, executed or looked up. Any other tag is an error at its line. JSON is YAML, so a
JSON template is read the same way, with its lines.
"""

from __future__ import annotations

from typing import Any

import yaml

from cellguard.importers.inputs import Input
from cellguard.models.loader.errors import Diagnostic, KeyPath, SpecLoadError
from cellguard.models.loader.source import (
    MAX_EXPANDED_NODES,
    SourceMap,
    _Builder,
    _expanded_size,
    _pos,
    _too_deep,
    compose,
)
from cellguard.models.quoting import quoted

FUNCTIONS = (
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "GetAtt",
    "If",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Equals",
    "Not",
    "And",
    "Or",
    "Transform",
    "Length",
    "ToJsonString",
)
"""Short-form tags ``!Name`` that stand for ``{"Fn::Name": value}``."""

TAGS = ("!Ref", "!Condition", *(f"!{name}" for name in FUNCTIONS))
"""Every short-form tag the reader accepts."""


class _TemplateBuilder(_Builder):
    """The loader's builder, reading the intrinsic function tags as their long form."""

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        tag = str(node.tag)
        if not tag.startswith("!"):
            return super().build(node, path)
        self.record(path, node)
        if tag not in TAGS:
            self._error(
                node,
                path,
                f"unknown CloudFormation intrinsic function tag {quoted(tag)}",
                "cfn-tag",
                expected="one of " + ", ".join(sorted(TAGS)),
                suggestion="check the spelling; tags are case-sensitive (!GetAtt, not !Getatt)",
            )
            return None
        name = tag[1:]
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        inner = (*path, key)
        if isinstance(node, yaml.ScalarNode):
            text = str(node.value)
            self.record(inner, node)
            if name == "GetAtt":
                resource, _, attribute = text.partition(".")
                return {key: [resource, attribute]}
            return {key: text}
        plain = yaml.SequenceNode if isinstance(node, yaml.SequenceNode) else yaml.MappingNode
        untagged = plain(
            "tag:yaml.org,2002:seq" if plain is yaml.SequenceNode else "tag:yaml.org,2002:map",
            node.value,
            node.start_mark,
            node.end_mark,
        )
        return {key: super().build(untagged, inner)}


def read_template(item: Input) -> tuple[Any, SourceMap]:
    """The data of one template and the position of each of its keys and values."""
    source = SourceMap(item.name)
    node = compose(item.text, item.name)
    if node is None:
        return None, source
    size = _expanded_size(node, item.name) if "&" in item.text else 0
    if size > MAX_EXPANDED_NODES:
        p = _pos(node)
        raise SpecLoadError.at(
            item.name,
            p.line,
            p.column,
            f"the template expands to {size:,} YAML nodes through aliases "
            f"(limit {MAX_EXPANDED_NODES:,}); refusing to expand it",
            code="yaml-alias-bomb",
        )
    builder = _TemplateBuilder(source)
    try:
        data = builder.build(node, ())
    except RecursionError:
        raise _too_deep(item.name) from None
    if builder.errors:
        raise SpecLoadError(builder.errors)
    return data, source


def template_problem(
    source: SourceMap,
    path: KeyPath,
    message: str,
    *,
    code: str = "cfn-value",
    expected: str | None = None,
    suggestion: str | None = None,
) -> Diagnostic:
    """A diagnostic at ``path`` of a template."""
    return source.diagnostic(path, message, code=code, expected=expected, suggestion=suggestion)
