"""Importing a command's modules with the cycle collector off (issue 21 item 5)."""

from __future__ import annotations

import gc

from cellguard.cli.importing import importing


def test_importing_runs_no_collection_and_leaves_nothing_young(collections: list[int]) -> None:
    assert gc.isenabled()
    with importing():
        kept = [{"n": i} for i in range(50_000)]  # as many objects as importing assess makes
        assert not gc.isenabled()
    assert collections == []
    assert gc.isenabled()
    # what was made goes to the oldest generation unscanned: the next collection of the
    # young generation does not walk it
    young = {id(o) for o in gc.get_objects(generation=0)}
    assert not any(id(d) in young for d in kept[::1000])


def test_importing_leaves_a_paused_collector_paused() -> None:
    gc.disable()
    try:
        with importing():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
