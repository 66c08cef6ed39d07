"""Evidence compared key by key in ``diff`` (:mod:`cellguard.reports.diff_figures`)."""

from __future__ import annotations

from cellguard.reports.diff_figures import EvidenceChange, evidence_changes, flatten, same
from cellguard.reports.diff_figures_text import evidence_pair, evidence_value


def test_nested_evidence_is_flattened_to_dotted_keys() -> None:
    evidence = {"supply": 3502.0, "basis": {"gpu": "H100", "mfu": {"value": 0.3}}, "empty": {}}
    assert flatten(evidence) == {
        "supply": 3502.0,
        "basis.gpu": "H100",
        "basis.mfu.value": 0.3,
        "empty": {},
    }


def test_only_moved_keys_are_changes_and_absent_keys_are_none() -> None:
    old = {"supply": 3502.0, "replicas": 4, "basis": {"gpu": "H100"}, "gone": True, "zones": ["a"]}
    new = {"supply": 5253.0, "replicas": 4, "basis": {"gpu": "H200"}, "new": 1, "zones": ["a"]}
    assert evidence_changes(old, new) == (
        EvidenceChange("basis.gpu", "H100", "H200"),
        EvidenceChange("gone", True, None),
        EvidenceChange("new", None, 1),
        EvidenceChange("supply", 3502.0, 5253.0),
    )


def test_float_noise_is_not_a_change_but_a_type_change_is() -> None:
    assert same(0.1 + 0.2, 0.3)
    assert not same(3502.0, 3502.1)
    assert not same(True, 1) and not same(0, False)
    assert evidence_changes({"xs": [1, 2]}, {"xs": [1, 2, 3]}) == (
        EvidenceChange("xs", [1, 2], [1, 2, 3]),
    )
    assert evidence_changes({"xs": [0.1 + 0.2]}, {"xs": [0.3]}) == ()


def test_values_are_shown_with_the_digits_that_tell_them_apart() -> None:
    assert evidence_value(3502.4) == "3,502.4"
    assert evidence_value(5253) == "5,253"
    assert evidence_value(None) == "absent"
    assert evidence_value(["a", "b"]) == "a, b" and evidence_value([]) == "none"
    assert evidence_pair(3502.0, 5253.0) == ("3,502", "5,253")
    assert evidence_pair(99.6392531, 99.6392684) == ("99.639253", "99.639268")
    assert evidence_value("\x1b[31mred") == "\\x1b[31mred"
