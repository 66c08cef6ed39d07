"""The reference helpers answer as their definitions do (issue 21 item 5: they skip building the
qualified string, so each is checked against it here, on ids with and without qualifiers)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cellguard.models.references import localise, qualify, split_reference

_PART = st.text(alphabet="ab/-.", max_size=6)


@given(_PART, _PART)
def test_split_reference_splits_the_qualified_form_at_its_last_slash(ref: str, within: str) -> None:
    stack, _, ident = qualify(ref, within).rpartition("/")
    assert split_reference(ref, within) == (stack, ident)


@given(_PART, _PART)
def test_localise_drops_only_its_own_document(ref: str, within: str) -> None:
    stack, ident = split_reference(ref, within)
    assert localise(ref, within) == (ident if stack == within else ref)


def test_examples() -> None:
    assert split_reference("kb", "support") == ("support", "kb")
    assert split_reference("platform/kb", "support") == ("platform", "kb")
    assert split_reference("a/b/kb", "support") == ("a/b", "kb")
    assert localise("support/kb", "support") == "kb"
    assert localise("platform/kb", "support") == "platform/kb"
    assert localise("kb", "support") == "kb"
