"""The graph build works out each distinct placement of a stack once (issue 21 item 5): components
with the same placement inputs share one effective placement, and every component's is the one
``effective_placement`` gives it alone."""

from __future__ import annotations

import textwrap

from cellguard.assessments.graph import build_graph
from cellguard.assessments.placement import effective_placement
from tests.helpers import load_texts

STACK = textwrap.dedent(
    """\
    apiVersion: cellguard/v1
    kind: Stack
    metadata: {name: shop, owner: team}
    business:
      journeys:
        - {id: buy, entrypoint: a1, criticality: tier1}
    topology:
      accounts: [prod, other]
      regions:
        - {name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}
        - {name: us-west-2, zones: [usw2-az1, usw2-az2]}
      cells:
        - {id: c1, region: us-east-1, zones: [use1-az2]}
      shared_domains:
        - {id: pool, type: gpu_node_pool}
    components:
      - {id: a1, kind: app, placement: {zones: 2}, replicas: 3}
      - {id: a2, kind: app, placement: {zones: 2}, replicas: 3}
      - {id: a3, kind: app, placement: {zones: 2}, replicas: 4}
      - {id: a4, kind: app, placement: {zones: [use1-az1, use1-az2]}, replicas: 3}
      - {id: a5, kind: app, placement: {zones: 2, account: other}, replicas: 3}
      - {id: a6, kind: app, placement: {zones: 2, regions: [us-west-2]}, replicas: 3}
      - {id: a7, kind: app, placement: {cells: [c1]}, replicas: 3}
      - {id: a8, kind: app, placement: {cells: []}, replicas: 3}
      - {id: a9, kind: app, placement: {}, replicas: 3}
      - {id: b1, kind: app, replicas: 3}
      - {id: b2, kind: app, replicas: 3}
      - {id: b3, kind: app, placement: {zones: 2}, replicas: 3, shared_domains: [pool]}
      - {id: b4, kind: app, placement: {zones: 2}}
    """
)


def test_equal_inputs_share_a_placement_and_each_is_its_own() -> None:
    org = load_texts(STACK)
    graph = build_graph(org)
    doc = org.documents[0].document
    comps = {c.id: c for c in doc.components}
    for cid, comp in comps.items():
        assert graph.placement(f"shop/{cid}") == effective_placement("shop", doc.topology, comp)
    placed = {cid: graph.placement(f"shop/{cid}") for cid in comps}
    assert placed["a1"] is placed["a2"]
    assert placed["b1"] is placed["b2"]
    distinct = [placed[c] for c in ("a1", "a3", "a4", "a5", "a6", "a7", "a9", "b1", "b3", "b4")]
    assert len({id(p) for p in distinct}) == len(distinct)
    assert not placed["b1"].declared and placed["a9"].declared
    assert placed["a4"].zones == {"us-east-1": ("use1-az1", "use1-az2")}
    assert placed["a7"].zones == {"us-east-1": ("use1-az2",)}
    assert placed["b3"].shared and not placed["a1"].shared
