"""The importers' mapping of spec keys to the kinds they are read from, against what they write.

Every fixture is imported; each value of each component of the draft is attributed to the object
(Kubernetes manifest or CloudFormation resource) its ``# from FILE:LINE`` comment points into.
The mapping must list every (key, kind) seen, and every (key, kind) it lists must be seen, so
the spec reference's "Imported from" cannot drift from what the importers do.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.importers.cfn_yaml import read_template
from cellguard.importers.cloudformation import import_cloudformation
from cellguard.importers.draft import TODO
from cellguard.importers.facts import Workload
from cellguard.importers.inputs import read_inputs
from cellguard.importers.k8s import import_k8s
from cellguard.importers.manifests import Problems, manifests_of, read_documents
from cellguard.importers.provenance import (
    IMPORTERS,
    WORKLOAD,
    components_of,
    field_of,
    reference_notes,
)
from cellguard.importers.writer import Mapping, Node, Scalar, Sequence
from tests.helpers import REPO

FIXTURES = REPO / "tests" / "importers" / "fixtures"
K8S = sorted([*FIXTURES.glob("*.yaml"), *(FIXTURES / "coverage").glob("*workloads.yaml")])
CFN = sorted(
    [
        *(FIXTURES / "cloudformation").glob("*.yaml"),
        *(FIXTURES / "coverage").glob("*resources.yaml"),
    ]
)
_ORIGIN = re.compile(r"(?:^from | at )(\S+):(\d+)")

Seen = tuple[str, str, str, str, bool]
"""(importer, component kind, key path, kind read from, whether that is the component's own
object -- the one it is made from, :data:`WORKLOAD` in the mapping)."""


def _k8s_objects(path: str) -> list[tuple[str, int, str, str]]:
    problems = Problems()
    inputs = read_inputs([path], problems.items)
    return [
        (m.file, m.origin().line, m.kind, m.name)
        for item, data, source in read_documents(inputs, problems)
        for m in manifests_of(item, data, source, problems)
    ]


def _cfn_objects(path: str) -> list[tuple[str, int, str, str]]:
    (item,) = read_inputs([path], [])
    data, source = read_template(item)
    return [
        (item.name, source.locate(("Resources", rid), prefer_key=True)[0].line, body["Type"], rid)
        for rid, body in data["Resources"].items()
    ]


def _leaves(node: Node, path: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(dotted key path, comment) of every value; a label's key is one step."""
    if isinstance(node, Scalar):
        return [(".".join(path), node.comment)]
    if isinstance(node, Sequence):
        return [leaf for item in node.items for leaf in _leaves(item, path)]
    found: list[tuple[str, str]] = []
    for entry in node.entries:
        if isinstance(entry, tuple):
            key, value = entry
            if path[-1:] == ("labels",):
                assert isinstance(value, Scalar)
                found.append((".".join((*path, key)), value.comment))
            else:
                found.extend(_leaves(value, (*path, key)))
    return found


def _observe(
    importer: str,
    root: Mapping,
    workloads: list[Workload],
    objects: list[tuple[str, int, str, str]],
) -> set[Seen]:
    components = next(
        v for e in root.entries if isinstance(e, tuple) for k, v in [e] if k == "components"
    )
    assert isinstance(components, Sequence)
    seen: set[Seen] = set()
    for w, node in zip(workloads, components.items, strict=True):
        for path, comment in _leaves(node):
            if comment.startswith(TODO):
                continue  # a placeholder, not an imported value
            if path == "kind":
                seen.add((importer, w.component_kind, path, w.manifest.kind, True))
                continue
            found = _ORIGIN.search(comment)
            assert found, f"{w.key} {path}: no file:line in {comment!r}"
            file, line = found.group(1), int(found.group(2))
            _, _, kind, name = max(o for o in objects if o[0] == file and o[1] <= line)
            own = (kind, name) == (w.manifest.kind, w.manifest.name)
            seen.add((importer, w.component_kind, path, kind, own))
    return seen


@cache
def _seen() -> frozenset[Seen]:
    seen: set[Seen] = set()
    for path in K8S:
        shown = str(path.relative_to(REPO))
        k8s = import_k8s([shown])
        seen |= _observe("k8s", k8s.draft.root, k8s.imported.ctx.workloads, _k8s_objects(shown))
    for path in CFN:
        shown = str(path.relative_to(REPO))
        cfn = import_cloudformation([shown])
        seen |= _observe("cloudformation", cfn.draft.root, cfn.ctx.workloads, _cfn_objects(shown))
    return frozenset(seen)


def _matches(listed: str, kind: str, own: bool) -> bool:
    return listed == kind or (listed == WORKLOAD and own)


def test_the_fixtures_are_read(repo_root: Path) -> None:
    assert len(K8S) == 11 and len(CFN) == 6
    importers = {s[0] for s in _seen()}
    assert importers == {"k8s", "cloudformation"}
    # the attribution finds other objects than the component's own
    assert ("k8s", "app", "labels.k8s/pdb", "PodDisruptionBudget", False) in _seen()
    assert (
        "cloudformation",
        "model_endpoint",
        "serving.gpu",
        "AWS::SageMaker::EndpointConfig",
        False,
    ) in _seen()
    assert ("k8s", "model_endpoint", "serving.model_cache", "NIMService", True) in _seen()


def test_every_imported_key_is_mapped_to_the_kind_it_is_read_from(repo_root: Path) -> None:
    missing = sorted(
        (importer, component, path, kind, own)
        for importer, component, path, kind, own in _seen()
        if not any(
            s.path == path
            and any(_matches(listed, kind, own) for listed in s.kinds)
            and component in components_of(importer, s)
            for s in IMPORTERS[importer]
        )
    )
    assert missing == [], "written by an importer, not in cellguard/importers/provenance.py"


def test_every_mapped_key_and_kind_is_written_by_some_fixture(repo_root: Path) -> None:
    unseen = sorted(
        (importer, s.path, listed)
        for importer, sources in IMPORTERS.items()
        for s in sources
        for listed in s.kinds
        if not any(
            (importer, path) == (i, s.path)
            and component in components_of(importer, s)
            and _matches(listed, kind, own)
            for i, component, path, kind, own in _seen()
        )
    )
    assert unseen == [], "in the mapping, written by no fixture: add a fixture or drop it"


def test_every_mapped_key_is_a_key_of_the_components_it_is_written_for() -> None:
    for importer, sources in IMPORTERS.items():
        for s in sources:
            kinds = components_of(importer, s)
            assert kinds, (importer, s.path)
            if s.components:
                assert set(kinds) == set(s.components), (importer, s.path)
            for kind in kinds:
                field_of(kind, s.parts)  # KeyError for a key the models do not have


def test_spec_reference_says_where_each_imported_key_comes_from(repo_root: Path) -> None:
    result = CliRunner().invoke(app, ["schema", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    serving = text[text.index("\n## Serving\n") :]
    gpu_row = next(row for row in serving.splitlines() if row.startswith("| `gpu` |"))
    assert gpu_row.endswith(
        "Imported from Kubernetes: the workload, `NodePool`. "
        "Imported from CloudFormation: `AWS::SageMaker::EndpointConfig`. |"
    )
    app_table = text[text.index("\n## App\n") :]
    app_replicas = next(row for row in app_table.splitlines() if row.startswith("| `replicas` |"))
    assert app_replicas.endswith(
        "Imported from Kubernetes: the workload, `HorizontalPodAutoscaler`, `ScaledObject`. "
        "Imported from CloudFormation: `AWS::AutoScaling::AutoScalingGroup`. |"
    )
    assert "EndpointConfig" not in app_replicas
    assert "*The workload* is the Kubernetes object the component is made from, one of" in text
    notes = reference_notes()
    assert notes[("Queue", "engine")] == (
        "Imported from Kubernetes: the workload. "
        "Imported from CloudFormation: `AWS::SQS::Queue`, `AWS::SNS::Topic`."
    )
    assert "`k8s/pdb` from `PodDisruptionBudget`" in notes[("ModelEndpoint", "labels")]
    assert ("Business", "journeys") not in notes  # never imported: placeholders only
