"""An assessment runs with the cycle collector paused and leaves its heap old (issue 21 item 5)."""

from __future__ import annotations

import gc

from cellguard.cli.assessing import collector_paused


def test_what_the_block_made_is_not_walked_when_the_collector_resumes(
    collections: list[int],
) -> None:
    """Re-enabled as it was, the collector's next allocation would start a collection walking
    everything an assessment made (0.2-0.4 s after 10,001 components); it is moved to the
    oldest generation instead, for a later full collection."""
    assert gc.isenabled()
    with collector_paused():
        kept = [[i] for i in range(50_000)]  # lists: tracked by the collector
        assert not gc.isenabled()
    assert collections == []
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # moved, not frozen
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(d) in oldest for d in kept[::1000])


def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()
