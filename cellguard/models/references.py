"""References between documents: ``id`` names something in the same document, ``stack/id`` in
another document of the organisation. Every layer resolves references through these helpers.

They run hundreds of thousands of times in a large assessment (rules resolve every edge's
target): each answers from ``ref`` itself, without building the qualified string first."""

from __future__ import annotations


def qualify(ref: str, within: str) -> str:
    """The qualified form ``stack/id`` of ``ref`` made in document ``within``."""
    return ref if "/" in ref else f"{within}/{ref}"


def split_reference(ref: str, within: str) -> tuple[str, str]:
    """``(stack, id)`` of ``ref`` made in document ``within``."""
    if "/" in ref:  # qualified: split at its last '/'
        stack, _, ident = ref.rpartition("/")
        return stack, ident
    return within, ref  # what splitting ``qualify(ref, within)`` at its last '/' gives


def localise(ref: str, within: str) -> str:
    """``ref`` without ``within`` as its qualifier: ``me/x`` made in ``me`` is ``x``."""
    if "/" not in ref:
        return ref
    stack, _, ident = ref.rpartition("/")
    return ident if stack == within else ref
