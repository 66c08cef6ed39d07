"""``--verify`` checks of what the AWS APIs will check: input constraints from botocore's models.

:func:`check_aws_inputs` walks every captured ``aws:*`` resource: each input goes to the API
member it becomes (:mod:`cellguard.iac.aws_inputs`) and is checked against that member's shape
in the service model botocore ships (:mod:`cellguard.iac.aws_models`): lengths, numeric ranges,
patterns (whole value) and enums, down through structures, lists and maps. A name Pulumi
auto-names (no explicit name input) is checked as the logical name plus Pulumi's 8-character
suffix. Values the mocks invented (ids, ARNs, endpoints: known only after ``pulumi up``) are not
checked, and counted.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cellguard.blueprints.model import Blueprint
from cellguard.iac.aws_inputs import API_INPUTS, AUTONAME_SUFFIX, OPEN_ENUMS, ApiInput
from cellguard.iac.aws_models import (
    Tally,
    Violation,
    botocore_version,
    check_value,
    input_shape,
    resolve,
    shape,
)
from cellguard.iac.mockrun import Capture, CapturedResource
from cellguard.iac.verify_base import MOCK_ARN, CheckResult

NAME = "aws-api-constraints"
SHOWN = 50
"""Violations and unmapped inputs listed in the verdict line (the count says how many more)."""


class Computed:
    """Recognises values the mocks answered with: ``NAME-id`` ids, ``arn:aws:mock:::`` ARNs,
    ``NAME-bucket`` bucket names, ``*.mock`` endpoints, hosted-zone ids and offering ids
    (:mod:`cellguard.iac.mockrun`); in a real run they are known only after apply."""

    def __init__(self, cap: Capture) -> None:
        tokens = {f"{r.name}-id" for r in cap.resources}
        tokens |= {f"{r.name}-bucket" for r in cap.resources}
        tokens |= {f"Z{zlib.crc32(r.name.encode()):010d}" for r in cap.resources}
        tokens.add("cbo-mock")
        alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
        self._tokens = re.compile(alternatives) if alternatives else None

    def __call__(self, value: str) -> bool:
        if MOCK_ARN[:-3] in value or ".mock" in value:
            return True
        return self._tokens is not None and self._tokens.search(value) is not None


@dataclass
class _Walk:
    """What checking every resource found."""

    tally: Tally = field(default_factory=Tally)
    resources: int = 0
    types: set[str] = field(default_factory=set)
    computed: int = 0
    autonamed: int = 0
    unlimited_names: set[str] = field(default_factory=set)
    unmapped_types: set[str] = field(default_factory=set)
    unmapped_inputs: set[str] = field(default_factory=set)
    found: list[str] = field(default_factory=list)


def _known(value: Any, computed: Computed, walk: _Walk) -> Any:
    """``value`` with every computed string replaced by None (not checked), counted."""
    if isinstance(value, str) and computed(value):
        walk.computed += 1
        return None
    if isinstance(value, dict):
        return {k: _known(v, computed, walk) for k, v in value.items()}
    if isinstance(value, list):
        return [_known(v, computed, walk) for v in value]
    return value


def _select(value: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
    """The values at ``path`` (``a``, ``a[]``) below ``value``, each with its input path."""
    if not path:
        yield "", value
        return
    head, rest = path[0], path[1:]
    many = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(value, dict) or key not in value:
        return
    inner = value[key]
    if many:
        for i, item in enumerate(inner if isinstance(inner, list) else []):
            for sub, found in _select(item, rest):
                yield f".{key}[{i}]{sub}", found
    else:
        for sub, found in _select(inner, rest):
            yield f".{key}{sub}", found


def _target(api: ApiInput, key: str) -> str | None:
    """The shape a top-level input is checked against (None: no member)."""
    root = input_shape(api.service, api.operation)
    if key in api.renames:
        return resolve(api.service, root, api.renames[key])
    found = resolve(api.service, root, key)
    if found is None and api.default:
        found = resolve(api.service, root, f"{api.default}.{key}")
    return found


def _check_resource(r: CapturedResource, api: ApiInput, computed: Computed, walk: _Walk) -> None:
    inputs = {k: v for k, v in r.inputs.items() if not k.startswith("__")}
    autonamed = bool(api.autoname) and inputs.get(api.autoname or "") in (None, "")
    if autonamed and api.autoname:
        inputs[api.autoname] = r.name + AUTONAME_SUFFIX
        walk.autonamed += 1
        name_shape = shape(api.service, _target(api, api.autoname) or "")
        if "max" not in name_shape:
            walk.unlimited_names.add(f"{api.service} {api.operation} {api.autoname}")
    inputs = _known(inputs, computed, walk)
    tally = Tally(open_enums=frozenset(OPEN_ENUMS))
    for key, value in inputs.items():
        if key in api.elsewhere and key not in api.renames:
            continue
        target = _target(api, key)
        if target is None:
            walk.unmapped_inputs.add(f"{r.type}.{key}")
            continue
        check_value(api.service, target, value, key, tally)
    root = input_shape(api.service, api.operation)
    for source, member in api.renames.items():
        if "." not in source and not source.endswith("[]"):
            continue
        target = resolve(api.service, root, member)
        for path, value in _select(inputs, source.split(".")):
            if target is not None:
                check_value(api.service, target, value, path.lstrip("."), tally)
    walk.tally.constrained += tally.constrained
    walk.tally.unreadable_patterns |= tally.unreadable_patterns
    walk.tally.open_enum_values |= tally.open_enum_values
    for v in tally.violations:
        auto = (
            " (auto-named: logical name + 8-character suffix)"
            if (autonamed and v.path == api.autoname)
            else ""
        )
        walk.found.append(
            f"{r.type} {r.name} {v.path}{auto}: {v.rule} [{api.service} {api.operation}]"
        )
        walk.tally.violations.append(Violation(v.path, v.rule))


def _listed(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


def check_aws_inputs(cap: Capture, bp: Blueprint) -> CheckResult:
    """Every captured AWS resource input within the limits of its API member (botocore)."""
    computed = Computed(cap)
    walk = _Walk()
    for r in cap.resources:
        if not r.type.startswith("aws:") or not r.custom:
            continue
        api = API_INPUTS.get(r.type)
        if api is None:
            walk.unmapped_types.add(r.type)
            continue
        walk.resources += 1
        walk.types.add(r.type)
        _check_resource(r, api, computed, walk)
    parts = [
        f"{walk.resources} AWS resources ({len(walk.types)} types) checked against botocore "
        f"{botocore_version()}'s API models: {walk.tally.constrained} values with a length, "
        f"range, pattern or enum, {walk.autonamed} auto-named as logical name + 8 characters"
    ]
    if walk.unlimited_names:
        parts.append(f"no length limit in the model for {sorted(walk.unlimited_names)}")
    parts.append(f"{walk.computed} values known only after apply not checked")
    if walk.tally.open_enum_values:
        parts.append(
            f"accepted outside a lagging enum list: {sorted(walk.tally.open_enum_values)} "
            "(see OPEN_ENUMS in cellguard/iac/aws_inputs.py)"
        )
    if walk.tally.unreadable_patterns:
        parts.append(
            f"{len(walk.tally.unreadable_patterns)} patterns with classes Python's re cannot "
            f"read not applied: {sorted(walk.tally.unreadable_patterns)}"
        )
    if walk.found:
        parts.append(f"{len(walk.found)} outside the limits: {_listed(sorted(walk.found))}")
    if walk.unmapped_types:
        parts.append(
            f"no API mapping for {sorted(walk.unmapped_types)} "
            "(add them to cellguard/iac/aws_inputs.py)"
        )
    if walk.unmapped_inputs:
        parts.append(
            f"inputs without an API member: {_listed(sorted(walk.unmapped_inputs))} "
            "(map or list them in cellguard/iac/aws_inputs.py)"
        )
    ok = not walk.found and not walk.unmapped_types and not walk.unmapped_inputs
    return CheckResult(NAME, ok, "; ".join(parts))
