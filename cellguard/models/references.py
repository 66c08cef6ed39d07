"""References between documents: ``id`` names something in the same document, ``stack/id`` in
another document of the organisation. Every layer resolves references through these helpers."""

from __future__ import annotations


def qualify(ref: str, within: str) -> str:
    """The qualified form ``stack/id`` of ``ref`` made in document ``within``."""
    return ref if "/" in ref else f"{within}/{ref}"


def split_reference(ref: str, within: str) -> tuple[str, str]:
    """``(stack, id)`` of ``ref`` made in document ``within``."""
    stack, _, ident = qualify(ref, within).rpartition("/")
    return stack, ident


def localise(ref: str, within: str) -> str:
    """``ref`` without ``within`` as its qualifier: ``me/x`` made in ``me`` is ``x``."""
    stack, ident = split_reference(ref, within)
    return ident if stack == within else ref
